import Foundation

/// Lists (`GET /v1/events`, `/v1/subscriptions`, …: newest first, `limit`, `starting_after`,
/// `ending_before`), single reads, and Stripe's test clocks.
enum SandboxReads {
    typealias Answer = StripeSandbox.Answer

    static func handle(
        pattern: String, id: String?, form: SandboxForm, state: inout SandboxState, events: inout [StripeSandbox.Event]
    ) -> Answer {
        func missing(_ kind: String) -> Answer {
            StripeSandbox.error(404, "invalid_request_error", "resource_missing", "No such \(kind): '\(id ?? "")'", param: "id")
        }
        switch pattern {
        case "GET /v1/events":
            let type = form["type"]
            let listed = state.events.filter { type == nil || $0.type == type }
            return list(listed.map { ($0.id, $0.created, json($0.body)) }, form: form, url: "/v1/events")
        case "GET /v1/events/{id}":
            guard let event = state.events.first(where: { $0.id == id }) else { return missing("event") }
            return Answer(status: 200, body: event.body)
        case "GET /v1/customers":
            let email = form["email"]
            return list(
                state.customers.values.sorted { $0.id < $1.id }.filter { email == nil || $0.email == email }.map { ($0.id, $0.created, json($0)) }, form: form,
                url: "/v1/customers")
        case "GET /v1/products":
            return list(state.products.values.sorted { $0.id < $1.id }.map { ($0.id, $0.created, json($0)) }, form: form, url: "/v1/products")
        case "GET /v1/products/{id}":
            guard let product = state.products[id ?? ""] else { return missing("product") }
            return SandboxAPIHandlers.ok(product)
        case "GET /v1/prices":
            let product = form["product"]
            return list(
                state.prices.values.sorted { $0.id < $1.id }.filter { product == nil || $0.product == product }.map { ($0.id, $0.created, json($0)) }, form: form,
                url: "/v1/prices")
        case "GET /v1/prices/{price}":
            guard let price = state.prices[id ?? ""] else { return missing("price") }
            return SandboxAPIHandlers.ok(price)
        case "GET /v1/subscriptions":
            // As at Stripe, canceled subscriptions are listed only when asked for by status.
            let customer = form["customer"]
            let status = form["status"]
            let listed = state.subscriptions.values.sorted { $0.id < $1.id }.filter { subscription in
                (customer == nil || subscription.customer == customer)
                    && (status == "all" || (status == nil ? subscription.status != "canceled" : subscription.status == status))
            }
            return list(listed.map { ($0.id, $0.created, json($0)) }, form: form, url: "/v1/subscriptions")
        case "GET /v1/invoices":
            let customer = form["customer"]
            let subscription = form["subscription"]
            let listed = state.invoices.values.sorted { $0.id < $1.id }.filter { invoice in
                (customer == nil || invoice.customer == customer)
                    && (subscription == nil || invoice.parent.subscription_details.subscription == subscription)
            }
            return list(listed.map { ($0.id, $0.created, json($0)) }, form: form, url: "/v1/invoices")
        case "GET /v1/checkout/sessions":
            return list(state.sessions.values.sorted { $0.id < $1.id }.map { ($0.id, $0.created, json($0)) }, form: form, url: "/v1/checkout/sessions")
        case "GET /v1/payment_methods/{payment_method}":
            guard let method = state.paymentMethods[id ?? ""] else { return missing("payment_method") }
            return SandboxAPIHandlers.ok(method)
        case "POST /v1/test_helpers/test_clocks", "GET /v1/test_helpers/test_clocks", "GET /v1/test_helpers/test_clocks/{test_clock}",
            "DELETE /v1/test_helpers/test_clocks/{test_clock}", "POST /v1/test_helpers/test_clocks/{test_clock}/advance":
            return SandboxTestClocks.handle(pattern: pattern, id: id, form: form, state: &state, events: &events)
        default:
            return StripeSandbox.error(404, "invalid_request_error", nil, "Unrecognized request URL.")
        }
    }

    /// One page of a list, newest first.
    static func list(_ items: [(id: String, created: Int64, object: Any)], form: SandboxForm, url: String) -> Answer {
        let limitText = form["limit"] ?? "10"
        guard let limit = Int(limitText), (1...100).contains(limit) else {
            return StripeSandbox.error(
                400, "invalid_request_error", "parameter_invalid_integer",
                "Invalid limit: must be a whole number from 1 to 100 (got \(limitText)).", param: "limit")
        }
        // Newest first; within a second, the later made first (events are kept in the order they
        // happened; other objects come from unordered maps and are ordered by id), so pages are stable.
        let ordered = items.enumerated().sorted { ($0.element.created, $0.offset) > ($1.element.created, $1.offset) }.map(\.element)
        var window = ordered[...]
        if let after = form["starting_after"] {
            guard let index = ordered.firstIndex(where: { $0.id == after }) else {
                return StripeSandbox.error(404, "invalid_request_error", "resource_missing", "No such object: '\(after)'", param: "starting_after")
            }
            window = ordered[(index + 1)...]
        } else if let before = form["ending_before"] {
            guard let index = ordered.firstIndex(where: { $0.id == before }) else {
                return StripeSandbox.error(404, "invalid_request_error", "resource_missing", "No such object: '\(before)'", param: "ending_before")
            }
            window = ordered[max(0, index - limit)..<index]
        }
        let page = window.prefix(limit)
        let body: [String: Any] = [
            "object": "list", "url": url, "has_more": window.count > page.count, "data": page.map(\.object),
        ]
        return Answer(status: 200, body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }

    static func json(_ object: some Encodable) -> Any {
        json((try? JSONEncoder().encode(object)) ?? Data())
    }

    static func json(_ data: Data) -> Any {
        (try? JSONSerialization.jsonObject(with: data)) ?? [:]
    }
}
