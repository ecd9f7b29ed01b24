import Foundation
import Logging
import TollgatePersistence
import TollgateServiceKit

/// `GET /google/login`, `/github/login`, `/oidc/{provider}/login` and their callbacks: the
/// redirect to the provider (state cookie, PKCE, nonce) and, on the way back, the checks, the
/// account (`SocialAccounts`) and a session, answered as a password sign-in is — or, with an
/// allowed `return_to`, a redirect there with only the refresh cookie (no token in any URL).
struct SocialSignInHandlers: Sendable {
    let config: SocialSignInConfig
    let flows: OAuthFlows
    let accounts: SocialAccounts
    let sessions: SessionIssuer
    let answers: TokenAnswers
    let stateCookie: OAuthStateCookie
    let http: ProviderHTTP
    let metadata: OpenIDMetadataCache
    let logger: Logger

    /// The login route of a fixed provider (`google`, `github`).
    func login(_ name: String) -> ServiceRouter.Handler {
        { request in try await start(provider: try provider(name), request: request) }
    }

    func callback(_ name: String) -> ServiceRouter.Handler {
        { request in try await finish(provider: try provider(name), request: request) }
    }

    /// `/oidc/{provider}/…`: only providers configured by issuer under their own name.
    func oidcLogin(_ request: ServiceRequest) async throws -> ServiceResponse {
        try await start(provider: try oidcProvider(request), request: request)
    }

    func oidcCallback(_ request: ServiceRequest) async throws -> ServiceResponse {
        try await finish(provider: try oidcProvider(request), request: request)
    }

    // MARK: The two halves

    private func start(provider: SocialProvider, request: ServiceRequest) async throws -> ServiceResponse {
        let returnTo = request.query["return_to"].flatMap { $0.isEmpty ? nil : $0 }
        if let returnTo, !ReturnAddress.isAllowed(returnTo, origins: config.returnOrigins) {
            throw ValidationFailure(field: "return_to", "return_to must be on an allowed frontend origin")
        }
        let flow = try await flows.start(provider: provider.name, returnTo: returnTo)
        let location: String
        do {
            location = try await authorizationURL(provider, flow)
        } catch {
            throw HTTPFailure(502, "The sign-in provider cannot be reached; try again later")
        }
        return ServiceResponse(status: 307)
            .adding(header: "Location", location)
            .adding(header: "Set-Cookie", stateCookie.setting(flow.state, provider: provider.name))
            .adding(header: "Cache-Control", "no-store")
    }

    /// Answers in the starter's words: `Invalid OAuth callback` (no code, state or state cookie),
    /// `Invalid OAuth state` (a state that does not match, or a flow expired or used), and
    /// `<Provider> authentication failed` (the provider said no, or what it sent was refused); the
    /// reason is logged.
    private func finish(provider: SocialProvider, request: ServiceRequest) async throws -> ServiceResponse {
        let failed = HTTPFailure(400, "\(provider.displayName) authentication failed")
        if let error = request.query["error"] {
            logger.info("provider refused the sign-in", metadata: ["provider": "\(provider.name)", "error": "\(error.prefix(100))"])
            throw failed
        }
        guard let state = request.query["state"], !state.isEmpty, let code = request.query["code"], !code.isEmpty,
            let expected = request.cookies[OAuthStateCookie.name(for: provider.name)]
        else { throw HTTPFailure(400, "Invalid OAuth callback") }
        guard expected == state, let flow = try await flows.finish(state: state, provider: provider.name) else {
            throw HTTPFailure(400, "Invalid OAuth state")
        }
        let profile: ProviderProfile
        do {
            profile = try await self.profile(provider, code: code, flow: flow)
        } catch {
            logger.info("sign-in refused", metadata: ["provider": "\(provider.name)", "reason": "\(error)"])
            throw failed
        }
        let account: Account
        do {
            account = try await accounts.account(for: profile, provider: provider)
        } catch let refusal as SocialAccounts.Refusal {
            throw refusal.failure
        }
        let issued = try await sessions.start(for: account, by: .social, from: request)
        let clearState = stateCookie.clearing(provider: provider.name)
        if let returnTo = flow.returnTo {
            return answers.redirectSignedIn(issued, to: returnTo).adding(header: "Set-Cookie", clearState)
        }
        return answers.signedIn(issued, user: account.response).adding(header: "Set-Cookie", clearState)
    }

    // MARK: Providers

    private func authorizationURL(_ provider: SocialProvider, _ flow: OAuthFlow) async throws -> String {
        switch provider.kind {
        case .openIDConnect(let issuer):
            try await OpenIDConnectProvider(provider: provider, issuer: issuer, http: http, cache: metadata)
                .authorizationURL(for: flow)
        case .github(let authorize, let token, let api):
            GitHubProvider(provider: provider, authorizeURL: authorize, tokenURL: token, apiURL: api, http: http)
                .authorizationURL(for: flow)
        }
    }

    private func profile(_ provider: SocialProvider, code: String, flow: OAuthFlow) async throws -> ProviderProfile {
        switch provider.kind {
        case .openIDConnect(let issuer):
            try await OpenIDConnectProvider(provider: provider, issuer: issuer, http: http, cache: metadata)
                .profile(code: code, flow: flow)
        case .github(let authorize, let token, let api):
            try await GitHubProvider(provider: provider, authorizeURL: authorize, tokenURL: token, apiURL: api, http: http)
                .profile(code: code, flow: flow)
        }
    }

    private func provider(_ name: String) throws -> SocialProvider {
        guard let provider = config.provider(name) else { throw HTTPFailure(404, "Sign-in with \(name) is not configured") }
        return provider
    }

    private func oidcProvider(_ request: ServiceRequest) throws -> SocialProvider {
        let name = request.pathParameters["provider"] ?? ""
        guard name != "google", name != "github", let provider = config.provider(name) else {
            throw HTTPFailure(404, "Sign-in with \(name.prefix(50)) is not configured")
        }
        return provider
    }
}
