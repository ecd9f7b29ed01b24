/// The one shape of every cookie Auth sets: site-wide, httpOnly, SameSite=Lax (sent on top-level
/// navigations back from a provider), Secure outside development; `Max-Age=0` clears it.
enum HttpOnlyCookie {
    static func header(name: String, value: String, maxAgeSeconds: Int64, secure: Bool) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAgeSeconds); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }
}
