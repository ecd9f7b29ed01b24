import Foundation
import TollgateConfig

/// A provider users may sign in with: Google and any OpenID Connect provider (by issuer, through
/// discovery), or GitHub (OAuth 2 and its REST API).
public struct SocialProvider: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case openIDConnect(issuer: String)
        case github(authorizeURL: String, tokenURL: String, apiURL: String)
    }

    /// `google`, `github`, or the configured name of an OpenID Connect provider.
    public let name: String

    /// How messages name it: `Google`, `GitHub`, else the configured name capitalised.
    public var displayName: String {
        switch name {
        case "google": "Google"
        case "github": "GitHub"
        default: name.prefix(1).uppercased() + name.dropFirst()
        }
    }
    public let kind: Kind
    public let clientID: String
    public let clientSecret: String
    /// Where the provider sends the user back (the callback route, as the browser reaches it).
    public let redirectURI: String

    /// The `provider` recorded on users it creates (the contract knows `google` and `github`).
    public var userProvider: String {
        switch kind {
        case .github: "github"
        case .openIDConnect: name == "google" ? "google" : "oidc"
        }
    }
}

/// Social sign-in settings: the providers configured, and the frontend origins a sign-in may
/// return to.
public struct SocialSignInConfig: Sendable, Equatable {
    public var providers: [SocialProvider]
    /// `TOLLGATE_OAUTH_RETURN_ORIGINS`: origins (`https://app.example.com`) `return_to` may name.
    public var returnOrigins: [String]

    public func provider(_ name: String) -> SocialProvider? { providers.first { $0.name == name } }

    static func read(_ reader: inout EnvironmentReader, publicURL: String) -> SocialSignInConfig {
        var providers: [SocialProvider] = []
        let web: Set<String> = ["http", "https"]
        if let clientID = reader.optionalString("TOLLGATE_GOOGLE_CLIENT_ID") {
            providers.append(
                SocialProvider(
                    name: "google",
                    kind: .openIDConnect(issuer: reader.url("TOLLGATE_GOOGLE_ISSUER", default: "https://accounts.google.com", schemes: web)),
                    clientID: clientID, clientSecret: secret(&reader, "TOLLGATE_GOOGLE_CLIENT_SECRET"),
                    redirectURI: reader.url(
                        "TOLLGATE_GOOGLE_REDIRECT_URI", default: "\(publicURL)/auth/social/callback/google", schemes: web)))
        }
        if let clientID = reader.optionalString("TOLLGATE_GITHUB_CLIENT_ID") {
            providers.append(
                SocialProvider(
                    name: "github",
                    kind: .github(
                        authorizeURL: reader.url(
                            "TOLLGATE_GITHUB_AUTHORIZE_URL", default: "https://github.com/login/oauth/authorize", schemes: web),
                        tokenURL: reader.url(
                            "TOLLGATE_GITHUB_TOKEN_URL", default: "https://github.com/login/oauth/access_token", schemes: web),
                        apiURL: reader.url("TOLLGATE_GITHUB_API_URL", default: "https://api.github.com", schemes: web)),
                    clientID: clientID, clientSecret: secret(&reader, "TOLLGATE_GITHUB_CLIENT_SECRET"),
                    redirectURI: reader.url(
                        "TOLLGATE_GITHUB_REDIRECT_URI", default: "\(publicURL)/auth/social/callback/github", schemes: web)))
        }
        for name in list(reader.optionalString("TOLLGATE_OIDC_PROVIDERS")) {
            guard !name.isEmpty, name != "google", name != "github",
                name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
            else {
                reader.addProblem("TOLLGATE_OIDC_PROVIDERS: \"\(name)\" must be lower-case letters, digits or -, and not google or github")
                continue
            }
            let key = "TOLLGATE_OIDC_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
            guard let issuer = reader.optionalString(key + "_ISSUER"), let clientID = reader.optionalString(key + "_CLIENT_ID")
            else {
                reader.addProblem("\(key)_ISSUER and \(key)_CLIENT_ID are required for OpenID Connect provider \(name)")
                continue
            }
            providers.append(
                SocialProvider(
                    name: name, kind: .openIDConnect(issuer: issuer), clientID: clientID,
                    clientSecret: secret(&reader, key + "_CLIENT_SECRET"),
                    redirectURI: reader.url(key + "_REDIRECT_URI", default: "\(publicURL)/oidc/\(name)/callback", schemes: web)))
        }
        let origins = list(reader.optionalString("TOLLGATE_OAUTH_RETURN_ORIGINS"))
        for origin in origins where ReturnAddress.origin(of: origin) != origin {
            reader.addProblem("TOLLGATE_OAUTH_RETURN_ORIGINS: \"\(origin)\" is not an origin like https://app.example.com")
        }
        return SocialSignInConfig(providers: providers, returnOrigins: origins)
    }

    private static func secret(_ reader: inout EnvironmentReader, _ name: String) -> String {
        guard let value = reader.optionalString(name) else {
            reader.addProblem("\(name) is required when its provider's client id is set")
            return ""
        }
        return value
    }

    private static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// `return_to` checks: only URLs on an allowed origin, compared exactly (scheme, host and port).
enum ReturnAddress {
    /// `https://app.example.com:8443` for any URL on it; nil for anything that is not an http(s) URL.
    static func origin(of text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host?.lowercased(), !host.isEmpty, url.user == nil, url.password == nil
        else { return nil }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    static func isAllowed(_ text: String, origins: [String]) -> Bool {
        guard let origin = origin(of: text) else { return false }
        return origins.contains(origin)
    }
}
