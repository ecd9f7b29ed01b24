/// The contract's refresh cookie: `refresh_token`, httpOnly, SameSite=Lax, Secure outside development.
struct RefreshCookie {
    static let name = "refresh_token"

    let secure: Bool
    let maxAgeSeconds: Int64

    func setting(_ token: String) -> String {
        var cookie = "\(RefreshCookie.name)=\(token); Path=/; Max-Age=\(maxAgeSeconds); HttpOnly; SameSite=Lax"
        if secure { cookie += "; Secure" }
        return cookie
    }

    func clearing() -> String {
        var cookie = "\(RefreshCookie.name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        if secure { cookie += "; Secure" }
        return cookie
    }
}
