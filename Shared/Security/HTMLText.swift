/// Text placed in HTML (the API's docs page, the Stripe sandbox's pages): the five characters that
/// could end an element or an attribute are written as entities, so no value can add markup.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
