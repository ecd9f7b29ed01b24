/// The contract's refresh cookie: `refresh_token`, httpOnly, SameSite=Lax, Secure outside development.
struct RefreshCookie {
    static let name = "refresh_token"

    let secure: Bool
    let maxAgeSeconds: Int64

    func setting(_ token: String) -> String {
        HttpOnlyCookie.header(name: Self.name, value: token, maxAgeSeconds: maxAgeSeconds, secure: secure)
    }

    func clearing() -> String {
        HttpOnlyCookie.header(name: Self.name, value: "", maxAgeSeconds: 0, secure: secure)
    }
}
