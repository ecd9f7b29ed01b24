import Foundation

/// `expand[]=a.b.c`, as Stripe reads it: each dotted path names a field holding an object's id,
/// replaced by the object itself; a path through a list reads `data.…`. A path that does not end at
/// an id the sandbox holds cannot be expanded (Stripe's 400). Up to four levels, as at Stripe.
enum SandboxExpansion {
    /// The answer with every path expanded, or the first path that cannot be.
    static func expand(_ body: Data, paths: [String], in state: SandboxState) -> Result<Data, Refused> {
        guard !paths.isEmpty else { return .success(body) }
        guard var root = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { return .success(body) }
        for path in paths {
            let parts = path.split(separator: ".").map(String.init)
            guard (1...4).contains(parts.count), let expanded = expand(root, parts[...], state) else {
                return .failure(Refused(path: path))
            }
            root = expanded
        }
        return .success((try? JSONSerialization.data(withJSONObject: root)) ?? body)
    }

    struct Refused: Error {
        let path: String
    }

    private static func expand(_ object: [String: Any], _ path: ArraySlice<String>, _ state: SandboxState) -> [String: Any]? {
        guard let key = path.first, let value = object[key] else { return nil }
        var object = object
        let rest = path.dropFirst()
        if key == "data", let items = value as? [[String: Any]] {
            var expanded: [[String: Any]] = []
            for item in items {
                guard let done = expand(item, rest, state) else { return nil }
                expanded.append(done)
            }
            object[key] = expanded
            return object
        }
        var child: [String: Any]
        if let id = value as? String {
            guard let found = lookUp(id, state) else { return nil }
            child = found
        } else if let nested = value as? [String: Any] {
            guard !rest.isEmpty else { return object }  // already an object
            child = nested
        } else {
            return nil
        }
        if !rest.isEmpty {
            guard let done = expand(child, rest, state) else { return nil }
            child = done
        }
        object[key] = child
        return object
    }

    /// The object an id names, by its prefix.
    private static func lookUp(_ id: String, _ state: SandboxState) -> [String: Any]? {
        let object: (any Encodable)? =
            if id.hasPrefix("cus_") { state.customers[id] }
            else if id.hasPrefix("sub_") { state.subscriptions[id] }
            else if id.hasPrefix("in_") { state.invoices[id] }
            else if id.hasPrefix("cs_") { state.sessions[id] }
            else if id.hasPrefix("price_") { state.prices[id] }
            else if id.hasPrefix("prod_") { state.products[id] }
            else if id.hasPrefix("pm_") { state.paymentMethods[id] }
            else { nil }
        guard let object, let data = try? JSONEncoder().encode(object) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
