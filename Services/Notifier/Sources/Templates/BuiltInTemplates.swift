import TollgateContracts

/// The templates Tollgate ships, by file name (`<template>.<part>.mustache`).
enum BuiltInTemplates {
    static let files: [String: String] = [
        "verify_email.subject.mustache": "Confirm your email for {{product_name}}",
        "verify_email.text.mustache": """
            Hello {{username}},

            Please confirm your email address for {{product_name}} by opening this link:

            {{verify_url}}

            If you did not create an account, you can ignore this message.
            """,
        "verify_email.html.mustache": """
            <!doctype html>
            <html><body style="font-family: sans-serif">
            <p>Hello {{username}},</p>
            <p>Please confirm your email address for {{product_name}}.</p>
            <p><a href="{{verify_url}}">Confirm my email</a></p>
            <p>If you did not create an account, you can ignore this message.</p>
            </body></html>
            """,
        "reset_password.subject.mustache": "Reset your {{product_name}} password",
        "reset_password.text.mustache": """
            Hello {{username}},

            Someone asked to reset the password of your {{product_name}} account. To choose a new
            password, open this link within {{minutes}} minutes; it works once:

            {{reset_url}}

            If it was not you, ignore this message: your password stays as it is.
            """,
        "reset_password.html.mustache": """
            <!doctype html>
            <html><body style="font-family: sans-serif">
            <p>Hello {{username}},</p>
            <p>Someone asked to reset the password of your {{product_name}} account.
            The link below works once, within {{minutes}} minutes.</p>
            <p><a href="{{reset_url}}">Choose a new password</a></p>
            <p>If it was not you, ignore this message: your password stays as it is.</p>
            </body></html>
            """,
        "login_code.subject.mustache": "Your {{product_name}} sign-in code: {{code}}",
        "login_code.text.mustache": """
            Hello {{username}},

            Your sign-in code for {{product_name}} is:

            {{code}}

            It works once, within {{minutes}} minutes. If you did not ask for it, ignore this message.
            """,
        "login_code.html.mustache": """
            <!doctype html>
            <html><body style="font-family: sans-serif">
            <p>Hello {{username}},</p>
            <p>Your sign-in code for {{product_name}} is:</p>
            <p style="font-size: 24px; letter-spacing: 4px"><strong>{{code}}</strong></p>
            <p>It works once, within {{minutes}} minutes. If you did not ask for it, ignore this message.</p>
            </body></html>
            """,
    ]
}
