//! English, the fallback for every language not written yet.

use super::Language;
use crate::templates::{
    DateTimeFormat, access_info, already_registered, deactivated, invitation, layout,
    password_changed, password_reset, rejection, verification_code,
};

pub(super) static EN: Language = Language {
    layout: layout::Strings {
        sign_off: "The {product} team",
        help: "Questions? Write to {support}.",
    },
    verification_code: verification_code::Strings {
        subject: "Your {product} verification code",
        greeting: "Hello {first_name},",
        intro: "Enter this code to confirm your email address and continue your registration for {product}:",
        validity: "The code works for {minutes} minutes.",
        not_you: "If you did not ask for this code, you can ignore this email; nothing happens without it.",
    },
    already_registered: already_registered::Strings {
        subject: "Your {product} account already exists",
        greeting: "Hello {first_name},",
        exists: "Someone asked to register this email address for {product}, but an account already exists for it.",
        login: "Log in",
        reset: "Forgot your password? Reset it",
        not_you: "If you did not try to register, you can ignore this email; your account is unchanged.",
    },
    invitation: invitation::Strings {
        subject: "You are invited to {product}",
        greeting: "Hello {first_name},",
        intro: "You have been given access to {product}. Accept your invitation to choose a password and sign in:",
        button: "Accept the invitation",
        username: "Your username: {username}",
        validity: "The link works until {expires_at} and can be used only once.",
        not_you: "If you did not expect this invitation, you can ignore this email; nothing happens without the link.",
    },
    rejection: rejection::Strings {
        subject: "Your {product} access request",
        greeting: "Hello {first_name},",
        outcome: "Your request for access to {product} was not approved.",
        reason: "The reason given:",
        questions: "If you have questions about this decision, write to {support}.",
    },
    password_reset: password_reset::Strings {
        subject: "Reset your {product} password",
        greeting: "Hello {first_name},",
        intro: "Someone (hopefully you) asked to reset your {product} password. Choose a new one here:",
        button: "Choose a new password",
        username: "Your username: {username}",
        validity: "The link works until {expires_at} and can be used only once.",
        not_you: "If you did not ask for this, you can ignore this email; your password stays unchanged.",
    },
    access_info: access_info::Strings {
        subject: "Your access to {product}",
        greeting: "Hello {first_name},",
        intro: "Here is your access information for {product}. Choose a password to sign in:",
        button: "Choose a password",
        username: "Your username: {username}",
        validity: "The link works until {expires_at} and can be used only once. Any link you were sent before no longer works.",
        not_you: "If you did not expect this email, you can ignore it; your account stays as it is.",
    },
    password_changed: password_changed::Strings {
        subject: "Your {product} password was changed",
        greeting: "Hello {first_name},",
        changed: "Your {product} password was just changed, and every signed-in session was signed out.",
        not_you: "If this wasn't you, reset your password at once:",
        reset: "Reset your password",
        tell_us: "Then write to {support} so we can look into it.",
    },
    deactivated: deactivated::Strings {
        subject: "Your {product} account was deactivated",
        greeting: "Hello {first_name},",
        deactivated: "Your {product} account was deactivated.",
        consequences: "Every signed-in session was signed out, and any invitation link you were sent no longer works.",
        mistake: "If you think this is a mistake, contact your organization's administrator or write to {support}.",
    },
    date_time: DateTimeFormat {
        pattern: "{day} {month} {year}, {hour}:{minute} UTC",
        months: [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    },
};
