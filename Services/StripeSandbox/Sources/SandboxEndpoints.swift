/// The API the sandbox serves, each endpoint named as Stripe's parameter lists name it.
enum SandboxEndpoints {
    private static let patterns: [(pattern: String, shape: [String])] = [
        ("GET /v1/customers", ["customers"]), ("POST /v1/customers", ["customers"]),
        ("GET /v1/customers/{customer}", ["customers", "*"]), ("POST /v1/customers/{customer}", ["customers", "*"]),
        ("GET /v1/products", ["products"]), ("POST /v1/products", ["products"]),
        ("GET /v1/products/{id}", ["products", "*"]), ("POST /v1/products/{id}", ["products", "*"]),
        ("GET /v1/prices", ["prices"]), ("POST /v1/prices", ["prices"]),
        ("GET /v1/prices/{price}", ["prices", "*"]), ("POST /v1/prices/{price}", ["prices", "*"]),
        ("GET /v1/checkout/sessions", ["checkout", "sessions"]), ("POST /v1/checkout/sessions", ["checkout", "sessions"]),
        ("GET /v1/checkout/sessions/{session}", ["checkout", "sessions", "*"]),
        ("POST /v1/checkout/sessions/{session}/expire", ["checkout", "sessions", "*", "expire"]),
        ("GET /v1/subscriptions", ["subscriptions"]),
        ("GET /v1/subscriptions/{subscription_exposed_id}", ["subscriptions", "*"]),
        ("POST /v1/subscriptions/{subscription_exposed_id}", ["subscriptions", "*"]),
        ("DELETE /v1/subscriptions/{subscription_exposed_id}", ["subscriptions", "*"]),
        ("POST /v1/billing_portal/sessions", ["billing_portal", "sessions"]),
        ("GET /v1/invoices", ["invoices"]), ("GET /v1/invoices/{invoice}", ["invoices", "*"]),
        ("GET /v1/payment_methods/{payment_method}", ["payment_methods", "*"]),
        ("POST /v1/refunds", ["refunds"]),
        ("GET /v1/events", ["events"]), ("GET /v1/events/{id}", ["events", "*"]),
        ("GET /v1/test_helpers/test_clocks", ["test_helpers", "test_clocks"]),
        ("POST /v1/test_helpers/test_clocks", ["test_helpers", "test_clocks"]),
        ("GET /v1/test_helpers/test_clocks/{test_clock}", ["test_helpers", "test_clocks", "*"]),
        ("DELETE /v1/test_helpers/test_clocks/{test_clock}", ["test_helpers", "test_clocks", "*"]),
        ("POST /v1/test_helpers/test_clocks/{test_clock}/advance", ["test_helpers", "test_clocks", "*", "advance"]),
    ]

    /// The endpoint a request is for, and the id in its path.
    static func match(method: String, path: String) -> (String, String?)? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.first == "v1" else { return nil }
        let rest = Array(parts.dropFirst())
        for (pattern, shape) in patterns where pattern.hasPrefix(method + " ") && shape.count == rest.count {
            var id: String?
            var matches = true
            for (expected, actual) in zip(shape, rest) {
                if expected == "*" { id = actual } else if expected != actual { matches = false }
            }
            if matches { return (pattern, id) }
        }
        return nil
    }
}
