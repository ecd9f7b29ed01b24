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
    ]
}
