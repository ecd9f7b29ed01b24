import TollgateContracts

/// The templates Tollgate ships, by file name (`<template>.<part>.mustache`). Every template may
/// use `product_name`, `support_email`, `public_url` and `brand_color` besides its own data (the
/// builders in `EmailCommand` say which).
enum BuiltInTemplates {
    static let files: [String: String] = {
        var files: [String: String] = [:]
        for email in emails {
            files["\(email.template.rawValue).subject.mustache"] = email.subject
            files["\(email.template.rawValue).text.mustache"] = email.text + textFooter
            files["\(email.template.rawValue).html.mustache"] = page(email.html)
        }
        return files
    }()

    private struct Email {
        let template: EmailTemplate
        let subject: String
        let text: String
        let html: String
    }

    private static let emails: [Email] = [
        Email(
            template: .verifyEmail, subject: "Confirm your email for {{product_name}}",
            text: """
                Hello {{username}},

                Please confirm your email address for {{product_name}} by opening this link:

                {{verify_url}}

                If you did not create an account, you can ignore this message.
                """,
            html: """
                <p>Hello {{username}},</p>
                <p>Please confirm your email address for {{product_name}}.</p>
                <p>\(button("{{verify_url}}", "Confirm my email"))</p>
                <p>If you did not create an account, you can ignore this message.</p>
                """),
        Email(
            template: .resetPassword, subject: "Reset your {{product_name}} password",
            text: """
                Hello {{username}},

                Someone asked to reset the password of your {{product_name}} account. To choose a new
                password, open this link within {{minutes}} minutes; it works once:

                {{reset_url}}

                If it was not you, ignore this message: your password stays as it is.
                """,
            html: """
                <p>Hello {{username}},</p>
                <p>Someone asked to reset the password of your {{product_name}} account.
                The link below works once, within {{minutes}} minutes.</p>
                <p>\(button("{{reset_url}}", "Choose a new password"))</p>
                <p>If it was not you, ignore this message: your password stays as it is.</p>
                """),
        Email(
            template: .loginCode, subject: "Your {{product_name}} sign-in code: {{code}}",
            text: """
                Hello {{username}},

                Your sign-in code for {{product_name}} is:

                {{code}}

                It works once, within {{minutes}} minutes. If you did not ask for it, ignore this message.
                """,
            html: """
                <p>Hello {{username}},</p>
                <p>Your sign-in code for {{product_name}} is:</p>
                <p style="font-size: 24px; letter-spacing: 4px"><strong>{{code}}</strong></p>
                <p>It works once, within {{minutes}} minutes. If you did not ask for it, ignore this message.</p>
                """),
        Email(
            template: .passwordChanged, subject: "Your {{product_name}} password was changed",
            text: """
                Hello {{username}},

                The password of your {{product_name}} account was changed on {{when}} (from {{ip}}).
                Every other session was signed out.

                If this was not you, reset your password at {{public_url}} now and write to {{support_email}}.
                """,
            html: """
                <p>Hello {{username}},</p>
                <p>The password of your {{product_name}} account was changed on {{when}} (from {{ip}}).
                Every other session was signed out.</p>
                <p>If this was not you, reset your password at <a href="{{public_url}}">{{public_url}}</a> now
                and write to <a href="mailto:{{support_email}}">{{support_email}}</a>.</p>
                """),
        Email(
            template: .newSignIn, subject: "New sign-in to your {{product_name}} account",
            text: """
                Hello {{username}},

                Your {{product_name}} account was signed in to on {{when}} from {{ip}} ({{device}}).

                If this was not you, change your password and sign out of every session.
                """,
            html: """
                <p>Hello {{username}},</p>
                <p>Your {{product_name}} account was signed in to on {{when}} from {{ip}} ({{device}}).</p>
                <p>If this was not you, change your password and sign out of every session.</p>
                """),
        Email(
            template: .signInCodesLocked, subject: "Sign-in codes for your {{product_name}} account are paused",
            text: """
                Hello {{username}},

                {{attempts}} wrong sign-in codes were tried for your {{product_name}} account, so sign-in codes
                are turned off for {{minutes}} minutes, or until you sign in with your password.

                If this was not you, someone may be trying to get into your account: use a strong password
                and write to {{support_email}}.
                """,
            html: """
                <p>Hello {{username}},</p>
                <p>{{attempts}} wrong sign-in codes were tried for your {{product_name}} account, so sign-in codes
                are turned off for {{minutes}} minutes, or until you sign in with your password.</p>
                <p>If this was not you, someone may be trying to get into your account: use a strong password
                and write to <a href="mailto:{{support_email}}">{{support_email}}</a>.</p>
                """),
        Email(
            template: .testEmail, subject: "{{product_name}} test email #{{number}}",
            text: """
                This is test email #{{number}} from {{product_name}}: the Notifier can reach your mail server.
                """,
            html: """
                <p>This is test email #{{number}} from {{product_name}}: the Notifier can reach your mail server.</p>
                """),
        subscriptionEmail(
            .subscriptionStarted, subject: "Welcome to {{plan_name}}",
            sentence: "Your {{plan_name}} subscription has started: {{amount}}, paid until {{period_end}}."),
        subscriptionEmail(
            .subscriptionRenewed, subject: "Your {{plan_name}} subscription was renewed",
            sentence: "We received {{amount}} for {{plan_name}}; you are covered until {{period_end}}."),
        subscriptionEmail(
            .subscriptionUpdated, subject: "Your subscription is now {{plan_name}}",
            sentence: "Your subscription changed to {{plan_name}} ({{amount}}); the current period ends {{period_end}}."),
        subscriptionEmail(
            .subscriptionCancellationScheduled, subject: "Your {{plan_name}} subscription will end on {{period_end}}",
            sentence: "As asked, your {{plan_name}} subscription will not renew. You keep it until {{period_end}}."),
        subscriptionEmail(
            .subscriptionCanceled, subject: "Your {{plan_name}} subscription has ended",
            sentence: "Your {{plan_name}} subscription ended on {{period_end}}. You can subscribe again at any time."),
        subscriptionEmail(
            .duplicateSubscriptionCanceled, subject: "Your second {{plan_name}} subscription was canceled",
            sentence: """
                A second checkout completed while you already had a subscription, so we canceled the new \
                {{plan_name}} subscription at once and refunded {{amount}}. Your existing subscription is unchanged.
                """),
        subscriptionEmail(
            .paymentFailed, subject: "Payment for {{plan_name}} failed",
            sentence: """
                We could not collect {{amount}} for {{plan_name}}. Please update your payment method before \
                {{period_end}} to keep your subscription.
                """),
    ]

    private static func subscriptionEmail(_ template: EmailTemplate, subject: String, sentence: String) -> Email {
        Email(
            template: template, subject: "{{product_name}}: " + subject,
            text: """
                Hello {{username}},

                \(sentence)

                Manage your subscription at {{public_url}}.
                """,
            html: """
                <p>Hello {{username}},</p>
                <p>\(sentence)</p>
                <p>\(button("{{public_url}}", "Manage my subscription"))</p>
                """)
    }

    private static func button(_ url: String, _ label: String) -> String {
        """
        <a href="\(url)" style="background: {{brand_color}}; color: #ffffff; padding: 10px 16px; \
        border-radius: 6px; text-decoration: none">\(label)</a>
        """
    }

    private static let textFooter = """


        --
        {{product_name}} · {{public_url}} · {{support_email}}
        """

    private static func page(_ body: String) -> String {
        """
        <!doctype html>
        <html><body style="font-family: sans-serif; color: #1f2937">
        <div style="border-top: 4px solid {{brand_color}}; padding-top: 12px; max-width: 560px">
        \(body)
        <p style="color: #6b7280; font-size: 12px">{{product_name}} · <a href="{{public_url}}">{{public_url}}</a> ·
        <a href="mailto:{{support_email}}">{{support_email}}</a></p>
        </div>
        </body></html>
        """
    }
}
