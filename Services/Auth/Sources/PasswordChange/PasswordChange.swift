/// What a changed password is answered with, by a change or a reset (the starter's words).
enum PasswordChange {
    static let succeeded = "Password has been changed successfully"
}
