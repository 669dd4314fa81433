//! German, in the polite "Sie" form.

use super::Language;
use crate::templates::{
    DateTimeFormat, access_info, already_registered, deactivated, invitation, layout,
    password_changed, password_reset, rejection, verification_code,
};

pub(super) static DE: Language = Language {
    layout: layout::Strings {
        sign_off: "Ihr Team von {product}",
        help: "Fragen? Schreiben Sie an {support}.",
    },
    verification_code: verification_code::Strings {
        subject: "Ihr Bestätigungscode für {product}",
        greeting: "Hallo {first_name},",
        intro: "Geben Sie diesen Code ein, um Ihre E-Mail-Adresse zu bestätigen und Ihre Registrierung für {product} fortzusetzen:",
        validity: "Der Code ist {minutes} Minuten lang gültig.",
        not_you: "Falls Sie diesen Code nicht angefordert haben, können Sie diese E-Mail ignorieren; ohne den Code geschieht nichts.",
    },
    already_registered: already_registered::Strings {
        subject: "Ihr Konto für {product} besteht bereits",
        greeting: "Hallo {first_name},",
        exists: "Jemand wollte diese E-Mail-Adresse für {product} registrieren, doch dafür besteht bereits ein Konto.",
        login: "Anmelden",
        reset: "Passwort vergessen? Setzen Sie es zurück",
        not_you: "Falls Sie sich nicht registrieren wollten, können Sie diese E-Mail ignorieren; Ihr Konto bleibt unverändert.",
    },
    invitation: invitation::Strings {
        subject: "Sie wurden zu {product} eingeladen",
        greeting: "Hallo {first_name},",
        intro: "Sie haben Zugang zu {product} erhalten. Nehmen Sie die Einladung an, um ein Passwort zu wählen und sich anzumelden:",
        button: "Einladung annehmen",
        username: "Ihr Benutzername: {username}",
        validity: "Der Link ist bis {expires_at} gültig und kann nur einmal verwendet werden.",
        not_you: "Falls Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren; ohne den Link geschieht nichts.",
    },
    rejection: rejection::Strings {
        subject: "Ihre Zugangsanfrage für {product}",
        greeting: "Hallo {first_name},",
        outcome: "Ihre Anfrage auf Zugang zu {product} wurde leider nicht genehmigt.",
        reason: "Die angegebene Begründung:",
        questions: "Falls Sie Fragen zu dieser Entscheidung haben, schreiben Sie an {support}.",
    },
    password_reset: password_reset::Strings {
        subject: "Ihr Passwort für {product} zurücksetzen",
        greeting: "Hallo {first_name},",
        intro: "Jemand (hoffentlich Sie) hat darum gebeten, Ihr Passwort für {product} zurückzusetzen. Wählen Sie hier ein neues:",
        button: "Neues Passwort wählen",
        username: "Ihr Benutzername: {username}",
        validity: "Der Link ist bis {expires_at} gültig und kann nur einmal verwendet werden.",
        not_you: "Falls Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren; Ihr Passwort bleibt unverändert.",
    },
    access_info: access_info::Strings {
        subject: "Ihr Zugang zu {product}",
        greeting: "Hallo {first_name},",
        intro: "Hier sind Ihre Zugangsdaten für {product}. Wählen Sie ein Passwort, um sich anzumelden:",
        button: "Passwort wählen",
        username: "Ihr Benutzername: {username}",
        validity: "Der Link ist bis {expires_at} gültig und kann nur einmal verwendet werden. Früher gesendete Links funktionieren nicht mehr.",
        not_you: "Falls Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren; Ihr Konto bleibt unverändert.",
    },
    password_changed: password_changed::Strings {
        subject: "Ihr Passwort für {product} wurde geändert",
        greeting: "Hallo {first_name},",
        changed: "Ihr Passwort für {product} wurde soeben geändert, und alle bestehenden Anmeldungen wurden beendet.",
        not_you: "Falls Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück:",
        reset: "Passwort zurücksetzen",
        tell_us: "Schreiben Sie anschließend an {support}, damit wir der Sache nachgehen können.",
    },
    deactivated: deactivated::Strings {
        subject: "Ihr Konto für {product} wurde deaktiviert",
        greeting: "Hallo {first_name},",
        deactivated: "Ihr Konto für {product} wurde deaktiviert.",
        consequences: "Alle bestehenden Anmeldungen wurden beendet, und Einladungslinks, die Sie möglicherweise erhalten haben, sind nicht mehr gültig.",
        mistake: "Falls Sie das für einen Irrtum halten, wenden Sie sich an die Administration Ihrer Organisation oder schreiben Sie an {support}.",
    },
    date_time: DateTimeFormat {
        pattern: "{day}. {month} {year}, {hour}:{minute} UTC",
        months: [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
    },
};
