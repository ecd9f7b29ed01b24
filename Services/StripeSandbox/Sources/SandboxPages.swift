import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The hosted pages: `GET /checkout/{session}` shows the plan and a card form, `POST` pays with the
/// test card typed; `GET /portal/{portal session}` shows the customer's subscriptions, and its forms
/// cancel at the period's end, resume, switch plan and replace the card (each then back to the
/// page, Post/Redirect/Get).
extension StripeSandbox {
    private static let notices = [
        "canceled": "Your subscription will end at the end of the current period.",
        "resumed": "Your subscription will renew.",
        "switched": "Your plan was changed; the new price is charged from the next renewal.",
        "card": "Your card was replaced.",
    ]

    func respondWithPage(_ request: Request) async throws -> Response {
        let parts = request.uri.path.split(separator: "/").map(String.init)
        let form =
            request.method == .post
            ? SandboxForm(String(buffer: try await request.body.collect(upTo: 64 << 10))) : SandboxForm(request.uri.query ?? "")
        switch (request.method, parts.first, parts.count) {
        case (.get, "checkout", 2): return checkoutPage(parts[1], error: nil, status: .ok)
        case (.post, "checkout", 2): return await pay(parts[1], cardNumber: form["card_number"] ?? "")
        case (.get, "portal", 2): return portalPage(parts[1], notice: form["notice"].flatMap { Self.notices[$0] }, status: .ok)
        case (.post, "portal", 3): return await portalAction(parts[1], action: parts[2], form: form)
        default: return Self.html(.notFound, HostedPages.notice(title: "Not found", message: "There is no such page.", link: nil))
        }
    }

    private func checkoutPage(_ sessionID: String, error: String?, status: HTTPResponse.Status) -> Response {
        let found = state.withLock { state -> (SandboxCheckoutSession, HostedPages.PlanLine)? in
            guard let session = state.sessions[sessionID], let price = state.prices[session.linePrice] else { return nil }
            return (session, Self.planLine(price, state))
        }
        guard let (session, plan) = found else {
            return Self.html(.notFound, HostedPages.notice(title: "Not found", message: "There is no such Checkout Session.", link: nil))
        }
        guard session.status == "open" else {
            return Self.html(
                .gone,
                HostedPages.notice(
                    title: "This Checkout Session is no longer available",
                    message: session.status == "complete" ? "It has been paid." : "It has expired.",
                    link: session.cancel_url.map { ($0, "Go back") }))
        }
        return Self.html(status, HostedPages.checkout(sessionID: sessionID, plan: plan, cancelURL: session.cancel_url, error: error))
    }

    private func pay(_ sessionID: String, cardNumber: String) async -> Response {
        let card: TestCards.Card
        switch TestCards.read(cardNumber) {
        case .success(let read): card = read
        case .failure(let refusal):
            return checkoutPage(sessionID, error: refusal.message, status: refusal.code == "card_declined" ? .init(code: 402) : .badRequest)
        }
        do {
            _ = try await change { state throws(SandboxState.Refused) in
                try state.completeCheckout(sessionID: sessionID, card: card, at: state.now)
            }
        } catch {
            return checkoutPage(sessionID, error: nil, status: .gone)
        }
        let successURL = state.withLock { $0.sessions[sessionID]?.success_url }
        guard let successURL else {
            return Self.html(.ok, HostedPages.notice(title: "Payment received", message: "You are subscribed.", link: nil))
        }
        return Self.redirect(successURL.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: sessionID))
    }

    private func portalPage(_ portalID: String, notice: String?, status: HTTPResponse.Status) -> Response {
        let page = state.withLock { state -> String? in
            guard let portal = state.portalSessions[portalID] else { return nil }
            let subscriptions = state.subscriptions.values
                .filter { $0.customer == portal.customer && $0.status != "canceled" }
                .sorted { $0.created > $1.created }
                .compactMap { subscription -> HostedPages.PortalSubscription? in
                    guard let item = subscription.items.data.first else { return nil }
                    let method = (subscription.default_payment_method ?? state.customers[portal.customer]?.invoice_settings.default_payment_method)
                        .flatMap { state.paymentMethods[$0] }
                    return HostedPages.PortalSubscription(
                        id: subscription.id, priceID: item.price.id, plan: Self.planLine(item.price, state), status: subscription.status,
                        periodEnd: item.current_period_end, cancelAtPeriodEnd: subscription.cancel_at_period_end,
                        card: method.map { "\($0.card.brand) •••• \($0.card.last4)" })
                }
            let plans = state.products.values.filter(\.active).sorted { $0.name < $1.name }.compactMap { product -> (String, HostedPages.PlanLine)? in
                guard let priceID = product.default_price, let price = state.prices[priceID], price.active, price.recurring != nil else { return nil }
                return (priceID, Self.planLine(price, state))
            }
            let customer = state.customers[portal.customer]
            return HostedPages.portal(
                portalID: portalID, customer: customer?.email ?? portal.customer, subscriptions: subscriptions, plans: plans, notice: notice,
                returnURL: portal.return_url)
        }
        guard let page else {
            return Self.html(.notFound, HostedPages.notice(title: "Not found", message: "There is no such portal session.", link: nil))
        }
        return Self.html(status, page)
    }

    private func portalAction(_ portalID: String, action: String, form: SandboxForm) async -> Response {
        if action == "card" {
            switch TestCards.read(form["card_number"] ?? "") {
            case .failure(let refusal):
                return portalPage(portalID, notice: refusal.message, status: refusal.code == "card_declined" ? .init(code: 402) : .badRequest)
            case .success(let card):
                let done = await change { state -> (Bool, [Event]) in
                    guard let customer = state.portalSessions[portalID]?.customer else { return (false, []) }
                    return (true, state.replaceCard(card, customerID: customer, at: state.now))
                }
                return done ? Self.redirect("/portal/\(portalID)?notice=card") : portalPage(portalID, notice: nil, status: .notFound)
            }
        }
        let subscriptionID = form["subscription"] ?? ""
        let outcome = await change { state -> (String?, [Event]) in
            guard let portal = state.portalSessions[portalID], var subscription = state.subscriptions[subscriptionID],
                subscription.customer == portal.customer, subscription.status != "canceled"
            else { return (nil, []) }
            let now = state.now
            switch action {
            case "cancel", "resume":
                let cancel = action == "cancel"
                subscription.cancel_at_period_end = cancel
                subscription.cancel_at = cancel ? subscription.items.data.first?.current_period_end : nil
                subscription.canceled_at = cancel ? now : nil
            case "switch":
                guard let price = state.prices[form["price"] ?? ""], price.active, price.recurring != nil,
                    state.products[price.product]?.active == true, !subscription.items.data.isEmpty
                else { return ("unknown price", []) }
                subscription.items.data[0].price = price
            default:
                return (nil, [])
            }
            state.subscriptions[subscriptionID] = subscription
            return (action == "cancel" ? "canceled" : action == "resume" ? "resumed" : "switched",
                    [state.event("customer.subscription.updated", subscription, at: now)])
        }
        switch outcome {
        case nil: return portalPage(portalID, notice: "There is no such subscription here.", status: .notFound)
        case "unknown price": return portalPage(portalID, notice: "That plan cannot be chosen.", status: .badRequest)
        case let notice?: return Self.redirect("/portal/\(portalID)?notice=\(notice)")
        }
    }

    private static func planLine(_ price: SandboxPrice, _ state: SandboxState) -> HostedPages.PlanLine {
        HostedPages.PlanLine(
            product: state.products[price.product]?.name ?? price.product,
            price: HostedPages.priceText(
                amount: price.unit_amount, currency: price.currency, interval: price.recurring?.interval,
                count: price.recurring?.interval_count ?? 1))
    }

    private static func html(_ status: HTTPResponse.Status, _ page: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    private static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
