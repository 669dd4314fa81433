// /staff in English or German. The English text in staff.html and in the console's modules
// is the key: `translatePage` swaps the page's static text for its German, `t` the
// messages the modules build. The choice is kept in the browser's local storage (a
// preference, no secret) and applied by reloading, so every view renders in one language.
import { el } from '/assets/app.js';

/** English source text → German. Placeholders in braces are filled by `t`. */
export const german = {
  // The page's static text (staff.html).
  'Staff: access requests — Customer portal': 'Mitarbeiter: Zugangsanfragen — Kundenportal',
  'Skip to content': 'Zum Inhalt springen',
  'Customer portal · Staff': 'Kundenportal · Mitarbeiter',
  Staff: 'Mitarbeiter',
  Language: 'Sprache',
  'Review queue': 'Prüfliste',
  People: 'Personen',
  Users: 'Benutzer',
  Organizations: 'Organisationen',
  'Emails not delivered': 'Nicht zugestellte E-Mails',
  Apps: 'Apps',
  'Staff sign-in': 'Anmeldung für Mitarbeiter',
  'Sign in with your company account': 'Mit Ihrem Firmenkonto anmelden',
  'Or use a bearer token': 'Oder ein Bearer-Token verwenden',
  'For scripts and local use: paste a bearer token from your identity provider. It needs the permission':
    'Für Skripte und die lokale Nutzung: Fügen Sie ein Bearer-Token Ihres Identitätsanbieters ein. Es benötigt die Berechtigung',
  '(and': '(und',
  'to set roles,': 'zum Vergeben von Rollen,',
  'to register apps). It is kept in this tab only and forgotten when the tab closes.':
    'zum Registrieren von Apps). Es wird nur in diesem Tab aufbewahrt und beim Schließen des Tabs vergessen.',
  'Bearer token': 'Bearer-Token',
  'Use this token': 'Dieses Token verwenden',
  'Sign out': 'Abmelden',
  'Forget token': 'Token vergessen',
  'Access requests': 'Zugangsanfragen',
  'Show requests that are': 'Anfragen anzeigen mit dem Status',
  'new (email confirmed, waiting for review)': 'neu (E-Mail bestätigt, wartet auf Prüfung)',
  'resolved (contact linked, waiting for approval)': 'zugeordnet (Kontakt verknüpft, wartet auf Freigabe)',
  'processed (approved)': 'erledigt (freigegeben)',
  'waiting for the email code': 'wartet auf den E-Mail-Code',
  Show: 'Anzeigen',
  'No requests with this status.': 'Keine Anfragen mit diesem Status.',
  'Name, email or company contains': 'Name, E-Mail oder Firma enthält',
  Requests: 'Anfragen',
  Email: 'E-Mail',
  Company: 'Firma',
  Received: 'Eingegangen',
  Action: 'Aktion',
  'Show more': 'Mehr anzeigen',
  "A contact's name, email or company starts with": 'Name, E-Mail oder Firma eines Kontakts beginnt mit',
  'Search contacts': 'Kontakte suchen',
  'No contact matches.': 'Kein Kontakt passt.',
  Contacts: 'Kontakte',
  'New contact': 'Neuer Kontakt',
  'First name': 'Vorname',
  'Last name': 'Nachname',
  'Without one, the person is reached by a personal link and confirms their own address through it.':
    'Ohne E-Mail erreichen Sie die Person über einen persönlichen Link, über den sie ihre Adresse selbst bestätigt.',
  Phone: 'Telefon',
  'Create the contact': 'Kontakt anlegen',
  'Portal users': 'Portalbenutzer',
  "A user's name, email or company starts with": 'Name, E-Mail oder Firma eines Benutzers beginnt mit',
  any: 'alle',
  'Show users': 'Benutzer anzeigen',
  'No portal user matches.': 'Kein Portalbenutzer passt.',
  'Portal users, the oldest first': 'Portalbenutzer, die ältesten zuerst',
  Select: 'Auswahl',
  Username: 'Benutzername',
  'Email access information to the selected': 'Zugangsinformationen per E-Mail an die Ausgewählten senden',
  Results: 'Ergebnisse',
  "An organization's name starts with": 'Name einer Organisation beginnt mit',
  'Show organizations': 'Organisationen anzeigen',
  'No organization matches.': 'Keine Organisation passt.',
  'Organizations by name': 'Organisationen nach Name',
  Account: 'Kundenkonto',
  Roles: 'Rollen',
  'New organization': 'Neue Organisation',
  'Organization name': 'Name der Organisation',
  'Account reference': 'Kundenkonto-Referenz',
  'Roles every member holds': 'Rollen aller Mitglieder',
  'Separated by commas or spaces, e.g.': 'Durch Kommas oder Leerzeichen getrennt, z. B.',
  'Create the organization': 'Organisation anlegen',
  'Require a second factor': 'Zweiten Faktor verlangen',
  'Members without a second factor set one up (an authenticator app or a passkey) at their next sign-in.':
    'Mitglieder ohne zweiten Faktor richten bei ihrer nächsten Anmeldung einen ein (eine Authenticator-App oder einen Passkey).',
  '← Back': '← Zurück',
  Organization: 'Organisation',
  Members: 'Mitglieder',
  'No members yet.': 'Noch keine Mitglieder.',
  'Members, the oldest first': 'Mitglieder, die ältesten zuerst',
  Member: 'Mitglied',
  'Add members': 'Mitglieder hinzufügen',
  'Email new members their invitation now': 'Neuen Mitgliedern ihre Einladung jetzt per E-Mail senden',
  'Email addresses': 'E-Mail-Adressen',
  'One per line, or separated by commas or spaces; up to 500.':
    'Eine pro Zeile oder durch Kommas oder Leerzeichen getrennt; bis zu 500.',
  'Add these addresses': 'Diese Adressen hinzufügen',
  'Find an existing contact by name, email or company': 'Vorhandenen Kontakt nach Name, E-Mail oder Firma suchen',
  'Find contacts': 'Kontakte finden',
  'Import people from a file': 'Personen aus einer Datei importieren',
  // The import hint around its <code> parts: "A .csv or .xlsx file of up to …".
  A: 'Eine Datei im Format',
  or: 'oder',
  'file of up to 10 000 rows; the first row names the columns:':
    'mit bis zu 10 000 Zeilen; die erste Zeile benennt die Spalten:',
  'Import the file': 'Datei importieren',
  'Import progress': 'Fortschritt des Imports',
  Edit: 'Bearbeiten',
  'Save the organization': 'Organisation speichern',
  'The mailer tries each email eight times over about three hours, then gives up. Once the cause is fixed (a full mailbox, a corrected address), send it again: the mailer takes it within a minute, with a fresh set of tries.':
    'Der Mailversand versucht jede E-Mail achtmal innerhalb von etwa drei Stunden und gibt dann auf. Sobald die Ursache behoben ist (ein volles Postfach, eine korrigierte Adresse), senden Sie sie erneut: Der Mailversand übernimmt sie innerhalb einer Minute mit neuen Versuchen.',
  'No email waits: the mailer has delivered every one.': 'Keine E-Mail wartet: Der Mailversand hat jede zugestellt.',
  'The newest first': 'Die neuesten zuerst',
  To: 'An',
  What: 'Was',
  Written: 'Verfasst',
  'Given up': 'Aufgegeben',
  'Last error': 'Letzter Fehler',
  'Send them all again': 'Alle erneut senden',
  "The company's portal apps that sign people in through the portal (OpenID Connect). An app may send people back only to the addresses registered here, compared exactly.":
    'Die Portal-Apps des Unternehmens, die Personen über das Portal anmelden (OpenID Connect). Eine App darf Personen nur an die hier registrierten Adressen zurückleiten; sie werden exakt verglichen.',
  'No app is registered yet.': 'Noch ist keine App registriert.',
  'Registered apps by name': 'Registrierte Apps nach Name',
  Type: 'Typ',
  'Redirect URIs': 'Weiterleitungs-URIs',
  'Register an app': 'Eine App registrieren',
  'App name': 'Name der App',
  'One per line, exactly as the app sends it; up to 10. Each uses https (http only on localhost), without a fragment or a wildcard.':
    'Eine pro Zeile, genau so, wie die App sie sendet; bis zu 10. Jede verwendet https (http nur auf localhost), ohne Fragment und ohne Platzhalter.',
  'Post-logout redirect URIs': 'Weiterleitungs-URIs nach der Abmeldung',
  'Login initiation URI': 'URI zum Starten der Anmeldung',
  'Where the app starts a sign-in itself: an access link that names the app leads there once the password is set.':
    'Wo die App selbst eine Anmeldung startet: Ein Zugangslink, der die App nennt, führt nach dem Setzen des Passworts dorthin.',
  'One per line: where the app may send people after they sign out of it.':
    'Eine pro Zeile: wohin die App Personen schicken darf, nachdem sie sich abgemeldet haben.',
  'confidential (a server that keeps a secret)': 'vertraulich (ein Server, der ein Secret sicher aufbewahrt)',
  'public (a browser or mobile app: no secret, PKCE alone)':
    'öffentlich (eine Browser- oder Mobil-App: kein Secret, nur PKCE)',
  'Register the app': 'App registrieren',
  App: 'App',
  'The client secret is shown only now, this once.': 'Das Client-Secret wird nur jetzt angezeigt, dieses eine Mal.',
  "Copy it into the app's configuration: the portal keeps only a hash of it and cannot show it again.":
    'Kopieren Sie es in die Konfiguration der App: Das Portal speichert nur einen Hash davon und kann es nicht noch einmal anzeigen.',
  'Client secret': 'Client-Secret',
  'Copy the secret': 'Secret kopieren',
  'The name and the redirect URIs can change; the type and the secret stay as registered.':
    'Name und Weiterleitungs-URIs lassen sich ändern; Typ und Secret bleiben, wie sie registriert wurden.',
  'Save the app': 'App speichern',
  Remove: 'Entfernen',
  'People can no longer sign in to a removed app through the portal, and its sessions cannot be refreshed. This cannot be undone.':
    'Bei einer entfernten App kann sich niemand mehr über das Portal anmelden, und ihre Sitzungen lassen sich nicht mehr verlängern. Das lässt sich nicht rückgängig machen.',
  'Remove the app': 'App entfernen',
  'Yes, remove the app': 'Ja, App entfernen',
  'Keep the app': 'App behalten',
  Request: 'Anfrage',
  'Which contact is this person?': 'Welcher Kontakt ist diese Person?',
  'No existing contact matches this request.': 'Kein vorhandener Kontakt passt zu dieser Anfrage.',
  'Create a new contact from this request': 'Neuen Kontakt aus dieser Anfrage anlegen',
  Decide: 'Entscheiden',
  '. Every portal user also gets the base role.': '. Jeder Portalbenutzer erhält außerdem die Basisrolle.',
  'Organization id': 'Organisations-ID',
  'Approve and send the invitation': 'Freigeben und Einladung senden',
  'Reason for rejecting': 'Grund für die Ablehnung',
  'Emailed to the person as written.': 'Wird der Person so, wie er hier steht, per E-Mail gesendet.',
  Reject: 'Ablehnen',
  History: 'Verlauf',
  Contact: 'Kontakt',
  'Edit the contact': 'Kontakt bearbeiten',
  'Contact first name': 'Vorname des Kontakts',
  'Contact last name': 'Nachname des Kontakts',
  'Contact email': 'E-Mail des Kontakts',
  'Contact phone': 'Telefon des Kontakts',
  '(blank: none)': '(leer: keine)',
  'Contact company': 'Firma des Kontakts',
  'CRM reference': 'CRM-Referenz',
  'Save the contact': 'Kontakt speichern',
  'Portal user': 'Portalbenutzer',
  'This contact has no portal user.': 'Dieser Kontakt hat keinen Portalbenutzer.',
  "The new user's roles": 'Rollen des neuen Benutzers',
  'Email the invitation now': 'Einladung jetzt per E-Mail senden',
  'Create a portal user': 'Portalbenutzer anlegen',
  'Send a new invitation': 'Neue Einladung senden',
  'Email access information': 'Zugangsinformationen per E-Mail senden',
  'Get a personal link': 'Persönlichen Link erzeugen',
  Deactivate: 'Deaktivieren',
  Reactivate: 'Reaktivieren',
  'Reset second factors': 'Zweite Faktoren zurücksetzen',
  'Yes, reset them': 'Ja, zurücksetzen',
  'Keep them': 'Beibehalten',
  Access: 'Zugang',
  "The user's own roles": 'Eigene Rollen des Benutzers',
  "Separated by commas or spaces; the organization's roles and the base role come on top.":
    'Durch Kommas oder Leerzeichen getrennt; die Rollen der Organisation und die Basisrolle kommen hinzu.',
  '(optional: none)': '(optional: keine)',
  'Administers their organization': 'Ist Administrator der eigenen Organisation',
  'Save access': 'Zugang speichern',
  'Personal link (shown once: hand it over yourself)':
    'Persönlicher Link (nur einmal angezeigt: Übergeben Sie ihn selbst)',
  'Copy the link': 'Link kopieren',
  'Login history': 'Anmeldeverlauf',
  'No logins yet.': 'Noch keine Anmeldungen.',
  When: 'Wann',
  Result: 'Ergebnis',
  'IP address': 'IP-Adresse',
  // The same in German, listed so that every English text of the page has its entry.
  Name: 'Name',
  Status: 'Status',
  Administrator: 'Administrator',
  Browser: 'Browser',
  '(optional)': '(optional)',

  // Words the console shows for the server's states (underscores read as spaces).
  new: 'neu',
  resolved: 'zugeordnet',
  processed: 'erledigt',
  rejected: 'abgelehnt',
  'pending verification': 'wartet auf Bestätigung',
  invited: 'eingeladen',
  active: 'aktiv',
  deactivated: 'deaktiviert',
  pending: 'offen',
  expired: 'abgelaufen',
  accepted: 'angenommen',
  revoked: 'widerrufen',
  added: 'hinzugefügt',
  'already member': 'bereits Mitglied',
  invalid: 'ungültig',
  queued: 'wartet',
  running: 'läuft',
  done: 'fertig',
  failed: 'fehlgeschlagen',
  success: 'erfolgreich',
  email: 'E-Mail',
  name: 'Name',
  // An app's type.
  confidential: 'vertraulich',
  public: 'öffentlich',
  // What happened, in a history ("… by Ada").
  'contact created': 'Kontakt angelegt',
  'contact changed': 'Kontakt geändert',
  'contact linked': 'Kontakt verknüpft',
  approved: 'freigegeben',
  'invitation accepted': 'Einladung angenommen',
  'password reset': 'Passwort-Zurücksetzung',
  'access changed': 'Zugang geändert',
  reactivated: 'reaktiviert',
  unlocked: 'entsperrt',
  'organization created': 'Organisation angelegt',
  'organization changed': 'Organisation geändert',
  'password link issued': 'Passwort-Link ausgestellt',
  'email confirmed': 'E-Mail bestätigt',
  'email requeued': 'E-Mail erneut eingereiht',
  'second factor added': 'Zweiter Faktor eingerichtet',
  'second factor removed': 'Zweiter Faktor entfernt',
  'recovery codes replaced': 'Wiederherstellungscodes ersetzt',
  'second factors reset': 'Zweite Faktoren zurückgesetzt',
  // Which email the mailer gave up on.
  'verification code': 'Bestätigungscode',
  'already registered': 'bereits registriert',
  invitation: 'Einladung',
  rejection: 'Ablehnung',
  'access info': 'Zugangsinformationen',
  'password changed': 'Passwort geändert',
  'second factor changed': 'Zweiter Faktor geändert',

  // Messages of staff.js.
  'Link a contact to this request before approving it.':
    'Verknüpfen Sie diese Anfrage mit einem Kontakt, bevor Sie sie freigeben.',
  'Not possible in the current state: {detail}': 'Im aktuellen Zustand nicht möglich: {detail}',
  'You lack a permission: {detail}': 'Ihnen fehlt eine Berechtigung: {detail}',
  'Please correct this field:': 'Bitte korrigieren Sie dieses Feld:',
  'Please correct these {count} fields:': 'Bitte korrigieren Sie diese {count} Felder:',
  'No connection': 'Keine Verbindung',
  'We could not reach the service. Check your connection and try again.':
    'Der Dienst ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  'Something went wrong on our side': 'Bei uns ist etwas schiefgegangen',
  'Please try again in a minute.': 'Bitte versuchen Sie es in einer Minute erneut.',
  'Signed in as {name}; the session ends at {time} unless you keep working.':
    'Angemeldet als {name}; die Sitzung endet am {time}, wenn Sie nicht weiterarbeiten.',
  'Signed in as {name} with a token{until}.': 'Angemeldet als {name} mit einem Token{until}.',
  ', until {time}': ', gültig bis {time}',
  staff: 'Mitarbeiter',
  'Paste a token first.': 'Fügen Sie zuerst ein Token ein.',
  'The token is forgotten.': 'Das Token ist vergessen.',
  'Your session has ended (after 30 idle minutes, or 8 hours in all). Sign in again.':
    'Ihre Sitzung ist beendet (nach 30 Minuten ohne Aktivität oder nach insgesamt 8 Stunden). Bitte melden Sie sich erneut an.',
  'The token was refused: it has expired or is not for this portal. Paste a new one.':
    'Das Token wurde abgelehnt: Es ist abgelaufen oder nicht für dieses Portal bestimmt. Fügen Sie ein neues ein.',
  '{action} by {actor}': '{action} von {actor}',
  'Nothing yet.': 'Noch nichts.',
  Review: 'Prüfen',
  'Review the request of {name}': 'Anfrage von {name} prüfen',
  '{count} {status} request': '{count} Anfrage mit dem Status „{status}“',
  '{count} {status} requests': '{count} Anfragen mit dem Status „{status}“',
  'Request of {name}': 'Anfrage von {name}',
  'Rejection reason': 'Grund der Ablehnung',
  'no email': 'keine E-Mail',
  'matches by {match}': 'Übereinstimmung: {match}',
  'Link the contact {name} ({email})': 'Kontakt {name} ({email}) verknüpfen',
  'Link this contact': 'Diesen Kontakt verknüpfen',
  'Open the contact': 'Kontakt öffnen',
  'Open the portal user': 'Portalbenutzer öffnen',
  'The contact is linked. The request can be approved now.':
    'Der Kontakt ist verknüpft. Die Anfrage kann jetzt freigegeben werden.',
  'Approved. {email} was sent an invitation that works until {time}.':
    'Freigegeben. An {email} wurde eine Einladung gesendet, die bis {time} gilt.',
  'Approved. {email} was sent an invitation.': 'Freigegeben. An {email} wurde eine Einladung gesendet.',
  'Please give a reason.': 'Bitte geben Sie einen Grund an.',
  'Rejected. The reason was emailed to {email}.': 'Abgelehnt. Der Grund wurde per E-Mail an {email} gesendet.',
  Open: 'Öffnen',
  'Open the contact {name}': 'Kontakt {name} öffnen',
  'Type at least 2 characters.': 'Geben Sie mindestens 2 Zeichen ein.',
  'The contact {name} is created.': 'Der Kontakt {name} ist angelegt.',
  'Contact {name}': 'Kontakt {name}',
  Created: 'Angelegt',
  'To {email}. Unchecked: send access information later.':
    'An {email}. Ohne Haken: Zugangsinformationen später senden.',
  'This contact has no email: create the user, then get a personal link for them.':
    'Dieser Kontakt hat keine E-Mail: Legen Sie den Benutzer an und erzeugen Sie dann einen persönlichen Link.',
  'none yet': 'noch keiner',
  'Last login': 'Letzte Anmeldung',
  never: 'nie',
  Invitation: 'Einladung',
  'The portal user signs in with this address or confirms their own: it is not changed here.':
    'Der Portalbenutzer meldet sich mit dieser Adresse an oder bestätigt seine eigene: Sie wird hier nicht geändert.',
  'Unique among contacts.': 'Eindeutig unter allen Kontakten.',
  'Nothing changed.': 'Nichts geändert.',
  'The contact {name} is saved.': 'Der Kontakt {name} ist gespeichert.',
  'The portal user is created and invited by email.': 'Der Portalbenutzer ist angelegt und per E-Mail eingeladen.',
  'The portal user is created; nothing was sent.': 'Der Portalbenutzer ist angelegt; es wurde nichts gesendet.',
  none: 'keine',
  'pending, works until {time}': 'offen, gültig bis {time}',
  'expired on {time}': 'abgelaufen am {time}',
  'Portal user {name}': 'Portalbenutzer {name}',
  'Effective roles': 'Wirksame Rollen',
  'Organization admin': 'Administrator der Organisation',
  yes: 'ja',
  no: 'nein',
  'A new invitation was sent to {name}; it works until {time}. Older links no longer work.':
    'Eine neue Einladung wurde an {name} gesendet; sie gilt bis {time}. Ältere Links gelten nicht mehr.',
  '{name} is deactivated: every session has ended and any pending invitation is revoked.':
    '{name} ist deaktiviert: Alle Sitzungen sind beendet, eine offene Einladung ist widerrufen.',
  '{name} is reactivated ({status}).': '{name} ist reaktiviert ({status}).',
  'The access of {name} is saved; their next sign-in carries it.':
    'Der Zugang von {name} ist gespeichert; er gilt ab der nächsten Anmeldung.',
  'Access information was emailed to {email}; the link works until {time}. Older links no longer work.':
    'Zugangsinformationen wurden per E-Mail an {email} gesendet; der Link gilt bis {time}. Ältere Links gelten nicht mehr.',
  'A personal link for {name} works until {time}. Older links no longer work.':
    'Ein persönlicher Link für {name} gilt bis {time}. Ältere Links gelten nicht mehr.',
  'The link is copied.': 'Der Link ist kopiert.',
  'Copying is not allowed here: the link is selected, copy it with the keyboard.':
    'Kopieren ist hier nicht erlaubt: Der Link ist markiert, kopieren Sie ihn mit der Tastatur.',
  'Reset the second factors of {name}? Their authenticator app, passkeys and recovery codes stop working: their next sign-in needs the password alone, or sets up a new second factor where their organization requires one.':
    'Zweite Faktoren von {name} zurücksetzen? Authenticator-App, Passkeys und Wiederherstellungscodes funktionieren dann nicht mehr: Bei der nächsten Anmeldung genügt das Passwort, oder es wird ein neuer zweiter Faktor eingerichtet, wo die Organisation einen verlangt.',
  '{name} has no second factor: there is nothing to reset.':
    '{name} hat keinen zweiten Faktor: Es gibt nichts zurückzusetzen.',
  'The second factors of {name} are reset: their authenticator app, passkeys and recovery codes no longer work.':
    'Die zweiten Faktoren von {name} sind zurückgesetzt: Authenticator-App, Passkeys und Wiederherstellungscodes funktionieren nicht mehr.',

  // Messages of staff-users.js.
  'Select {name}': '{name} auswählen',
  'Open the portal user {name}': 'Portalbenutzer {name} öffnen',
  '1 user selected.': '1 Benutzer ausgewählt.',
  '{count} users selected.': '{count} Benutzer ausgewählt.',
  'access information sent': 'Zugangsinformationen gesendet',
  'skipped ({reason})': 'übersprungen ({reason})',
  'Access information was sent to {sent} of {total} users.':
    'Zugangsinformationen wurden an {sent} von {total} Benutzern gesendet.',

  // Messages of staff-orgs.js.
  'Open the organization {name}': 'Organisation {name} öffnen',
  'The organization {name} is created.': 'Die Organisation {name} ist angelegt.',
  'Organization {name}': 'Organisation {name}',
  'Second factor': 'Zweiter Faktor',
  'Second factors': 'Zweite Faktoren',
  'authenticator app': 'Authenticator-App',
  passkeys: 'Passkeys',
  'recovery codes': 'Wiederherstellungscodes',
  'required of every member': 'für alle Mitglieder verlangt',
  'not required': 'nicht verlangt',
  'Open {name}': '{name} öffnen',
  'Make administrator': 'Zum Administrator machen',
  'Make {name} an administrator': '{name} zum Administrator machen',
  '{name} administers {organization} now.': '{name} ist jetzt Administrator von {organization}.',
  'The organization is saved; its members hold its roles from their next sign-in.':
    'Die Organisation ist gespeichert; ihre Mitglieder erhalten ihre Rollen ab der nächsten Anmeldung.',
  '{added} of {total} added.': '{added} von {total} hinzugefügt.',
  Add: 'Hinzufügen',
  'Add the contact {name}': 'Kontakt {name} hinzufügen',
  'Choose a file first.': 'Wählen Sie zuerst eine Datei aus.',
  '{file}: {processed} of {total} rows ({percent} %), {status}.':
    '{file}: {processed} von {total} Zeilen ({percent} %), {status}.',
  'Import {status}: {invited} invited, {added} added, {already} already members, {invalid} invalid.':
    'Import {status}: {invited} eingeladen, {added} hinzugefügt, {already} bereits Mitglieder, {invalid} ungültig.',
  'Row {row} ({email}): {reason}': 'Zeile {row} ({email}): {reason}',

  // Messages of staff-mail.js.
  'after {count} tries': 'nach {count} Versuchen',
  'Send again': 'Erneut senden',
  'Send the {kind} to {to} again': '{kind} erneut an {to} senden',
  "The email to {to} is back on the mailer's list.": 'Die E-Mail an {to} steht wieder auf der Liste des Mailversands.',
  'That email was sent again already.': 'Diese E-Mail wurde bereits erneut gesendet.',
  "{count} emails are back on the mailer's list.": '{count} E-Mails stehen wieder auf der Liste des Mailversands.',
  "{count} emails are back on the mailer's list; more are left: send again.":
    '{count} E-Mails stehen wieder auf der Liste des Mailversands; es sind noch weitere übrig: Senden Sie erneut.',

  // Messages of staff-apps.js.
  'Managing apps needs the permission portal.clients.manage: ask an administrator for it.':
    'Für die Verwaltung von Apps ist die Berechtigung portal.clients.manage nötig: Bitten Sie einen Administrator darum.',
  'This app is not registered any more.': 'Diese App ist nicht mehr registriert.',
  'Open the app {name}': 'App {name} öffnen',
  'App {name}': 'App {name}',
  'Client ID': 'Client-ID',
  'The app {name} is registered. A public app has no secret: it proves each sign-in with PKCE.':
    'Die App {name} ist registriert. Eine öffentliche App hat kein Secret: Sie weist jede Anmeldung mit PKCE nach.',
  'The app {name} is registered. Copy its client secret now.':
    'Die App {name} ist registriert. Kopieren Sie jetzt ihr Client-Secret.',
  'The secret is copied.': 'Das Secret ist kopiert.',
  'Copying is not allowed here: the secret is selected, copy it with the keyboard.':
    'Kopieren ist hier nicht erlaubt: Das Secret ist markiert, kopieren Sie es mit der Tastatur.',
  'The app {name} is saved; its redirect URIs apply from the next sign-in.':
    'Die App {name} ist gespeichert; ihre Weiterleitungs-URIs gelten ab der nächsten Anmeldung.',
  'Remove the app {name}? People can no longer sign in to it through the portal. This cannot be undone.':
    'App {name} entfernen? Dann kann sich niemand mehr über das Portal bei ihr anmelden. Das lässt sich nicht rückgängig machen.',
  'The app {name} is removed: no one signs in to it through the portal any more.':
    'Die App {name} ist entfernt: Niemand meldet sich mehr über das Portal bei ihr an.',
  'That app was removed already.': 'Diese App wurde bereits entfernt.',
  // The server's reasons for an app's refused field.
  'is required': 'ist erforderlich',
  'must be 1 to 100 characters': 'muss 1 bis 100 Zeichen lang sein',
  'needs at least one URI': 'braucht mindestens eine URI',
  'may hold at most 10 URIs': 'darf höchstens 10 URIs enthalten',
  'holds a URI longer than 500 characters': 'enthält eine URI mit mehr als 500 Zeichen',
  'holds a URI that is not absolute': 'enthält eine URI, die nicht absolut ist',
  'holds a URI with a fragment': 'enthält eine URI mit einem Fragment',
  'holds a URI with a wildcard or user info': 'enthält eine URI mit einem Platzhalter oder Benutzerangaben',
  'must use https (http only on localhost)': 'muss https verwenden (http nur auf localhost)',
};

const LANGUAGES = ['en', 'de'];

function stored() {
  try {
    return localStorage.getItem('portal.staff_lang');
  } catch {
    return null; // storage blocked: fall back to the browser's language
  }
}

const choice = stored();
/** The console's language: the stored choice, else German for a German browser. */
export const lang = LANGUAGES.includes(choice) ? choice : /^de(-|$)/i.test(navigator.language ?? '') ? 'de' : 'en';

// Dates in the browser's own regional form when it speaks the chosen language (en-GB
// keeps day/month), else in the chosen language's.
const locale = (navigator.language ?? '').toLowerCase().startsWith(lang) ? navigator.language : lang;

/** `english` in the console's language, `{name}` placeholders filled from `values`. */
export function t(english, values = {}) {
  const text = lang === 'de' && Object.hasOwn(german, english) ? german[english] : english;
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

/** A date and time in the console's language, as text. */
export function dateText(value) {
  return new Date(value).toLocaleString(locale);
}

/** Like app.js's `when`, in the console's language: a date in a `<time>` element. */
export function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return el('time', { dateTime: iso }, date.toLocaleString(locale));
}

const ATTRIBUTES = ['aria-label', 'placeholder', 'title'];

/** Replaces the static English text under `root` (text and a few attributes) with German. */
export function translatePage(root = document) {
  if (lang !== 'de') return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    // Code (permissions, column names) and language names stay as written.
    if (node.parentElement?.closest('code, option[lang]')) continue;
    const text = node.nodeValue;
    const german = translated(text);
    if (german === null) continue;
    const before = /^\s/.test(text) ? ' ' : '';
    const after = /\s$/.test(text) ? ' ' : '';
    node.nodeValue = before + german + after;
  }
  const elements = root.querySelectorAll(ATTRIBUTES.map((name) => `[${name}]`).join());
  for (const element of elements) {
    for (const name of ATTRIBUTES) {
      const german = translated(element.getAttribute(name) ?? '');
      if (german !== null) element.setAttribute(name, german);
    }
  }
}

function translated(text) {
  const key = text.replace(/\s+/g, ' ').trim();
  return key && Object.hasOwn(german, key) ? german[key] : null;
}

document.documentElement.lang = lang;

// The language select in the header: a change is stored and the page rendered anew.
const select = document.getElementById('staff-lang');
if (select) {
  select.value = lang;
  select.addEventListener('change', () => {
    try {
      localStorage.setItem('portal.staff_lang', select.value);
    } catch {
      return; // nowhere to keep it: stay as we are
    }
    location.reload();
  });
}
