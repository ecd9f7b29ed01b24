/// Stripe's test card numbers, behaving as Stripe documents them
/// (docs.stripe.com/testing): a card that pays, cards declined at once with their decline code, and
/// `4000000000000341`, which is saved but whose later charges fail. In test mode Stripe refuses
/// any other number; so does the sandbox.
enum TestCards {
    struct Card: Equatable, Sendable {
        let brand: String
        let last4: String
        let funding: String
        /// Saved without complaint; every renewal or retry charged to it fails.
        let chargesFail: Bool
    }

    /// Why a card is refused, in Stripe's words.
    struct Refusal: Error, Equatable, Sendable {
        let code: String
        let declineCode: String?
        let message: String
    }

    private static let paying: [String: (brand: String, funding: String)] = [
        "4242424242424242": ("visa", "credit"),
        "4000056655665556": ("visa", "debit"),
        "5555555555554444": ("mastercard", "credit"),
        "2223003122003222": ("mastercard", "credit"),
        "378282246310005": ("amex", "credit"),
        "6011111111111117": ("discover", "credit"),
    ]

    private static let declined: [String: (declineCode: String, message: String)] = [
        "4000000000000002": ("generic_decline", "Your card was declined."),
        "4000000000009995": ("insufficient_funds", "Your card has insufficient funds."),
        "4000000000009987": ("lost_card", "Your card was declined."),
        "4000000000009979": ("stolen_card", "Your card was declined."),
        "4000000000000069": ("expired_card", "Your card has expired."),
        "4000000000000127": ("incorrect_cvc", "Your card's security code is incorrect."),
        "4000000000000119": ("processing_error", "An error occurred while processing your card. Try again in a little bit."),
    ]

    /// The card a number stands for. Spaces and dashes are ignored, as on Stripe's page.
    static func read(_ typed: String) -> Result<Card, Refusal> {
        let number = typed.filter { $0 != " " && $0 != "-" }
        guard (12...19).contains(number.count), number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber) else {
            return .failure(Refusal(code: "invalid_number", declineCode: nil, message: "Your card number is invalid."))
        }
        guard passesLuhn(number) else {
            return .failure(Refusal(code: "incorrect_number", declineCode: nil, message: "Your card number is incorrect."))
        }
        let last4 = String(number.suffix(4))
        if let card = paying[number] {
            return .success(Card(brand: card.brand, last4: last4, funding: card.funding, chargesFail: false))
        }
        if number == "4000000000000341" {
            return .success(Card(brand: "visa", last4: last4, funding: "credit", chargesFail: true))
        }
        if let decline = declined[number] {
            return .failure(Refusal(code: "card_declined", declineCode: decline.declineCode, message: decline.message))
        }
        return .failure(
            Refusal(
                code: "card_declined", declineCode: "test_mode_live_card",
                message: "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing."))
    }

    /// The Luhn check digit test every card number passes.
    static func passesLuhn(_ digits: String) -> Bool {
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            guard let digit = character.wholeNumberValue else { return false }
            if index % 2 == 1 {
                sum += digit * 2 > 9 ? digit * 2 - 9 : digit * 2
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
