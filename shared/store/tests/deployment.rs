//! `template.yaml` must deploy what the code is: one function for every crate under
//! `functions/`, every route of the API (`docs/openapi.json`, generated from the routers,
//! each operation tagged with the function that serves it) on that function, and each function with exactly the
//! permissions, secrets and configuration its code needs, and an alarm on its errors.
//! (`template.rs` beside this file checks the table.)
//!
//! The template is read as YAML, CloudFormation's tags kept: `!Ref Api` reads as
//! `"!Ref Api"`, `!Sub "${Table.Arn}/index/gsi1"` as `"!Sub ${Table.Arn}/index/gsi1"`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use portal_domain::config::Variable;
use portal_store::table::TABLE;
use serde_yaml::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn read(relative: &str) -> String {
    let path = format!("{ROOT}/{relative}");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

fn template() -> Value {
    serde_yaml::from_str(&read("template.yaml"))
        .unwrap_or_else(|error| panic!("template.yaml is not YAML: {error}"))
}

/// A scalar, or a CloudFormation tag on a scalar or a list, as one string: `!Ref Api`,
/// `!GetAtt Table.Arn` (also from `!GetAtt [Table, Arn]`), `!Sub ${Table.Arn}/index/gsi1`.
fn show(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Tagged(tagged) => {
            let inner = match &tagged.value {
                Value::Sequence(parts) if tagged.tag == "GetAtt" => {
                    parts.iter().map(show).collect::<Vec<_>>().join(".")
                }
                other => show(other),
            };
            format!("{} {inner}", tagged.tag)
        }
        other => format!("{other:?}"),
    }
}

/// A value that may be one item or a list of them (an IAM `Action` or `Resource`).
fn one_or_many(value: &Value) -> Vec<&Value> {
    match value {
        Value::Sequence(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

fn resources(template: &Value) -> Vec<(String, &Value)> {
    template["Resources"]
        .as_mapping()
        .expect("template.yaml has Resources")
        .iter()
        .map(|(name, resource)| (show(name), resource))
        .collect()
}

fn resources_of_type<'a>(template: &'a Value, kind: &str) -> Vec<(String, &'a Value)> {
    resources(template)
        .into_iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some(kind))
        .collect()
}

/// The template's functions by binary (`Metadata.BuildProperties.Binary`), with their
/// logical ids.
fn functions(template: &Value) -> BTreeMap<String, (String, &Value)> {
    let mut functions = BTreeMap::new();
    for (id, resource) in resources_of_type(template, "AWS::Serverless::Function") {
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} has no Metadata.BuildProperties.Binary"))
            .to_owned();
        let earlier = functions.insert(binary.clone(), (id.clone(), resource));
        assert!(
            earlier.is_none(),
            "two functions of template.yaml build the binary {binary}"
        );
    }
    functions
}

/// The binary of every crate under `functions/`, from its Cargo.toml's `[[bin]]`.
fn function_binaries() -> Vec<String> {
    let functions = Path::new(ROOT).join("functions");
    let mut binaries: Vec<String> = std::fs::read_dir(&functions)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", functions.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .map(|dir| {
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
            let (binary, _) = bin_target(&manifest).unwrap_or_else(|| {
                panic!(
                    "{}/Cargo.toml declares no [[bin]] with a name: a function crate builds \
                     the binary template.yaml deploys",
                    dir.display()
                )
            });
            binary
        })
        .collect();
    binaries.sort();
    assert!(
        !binaries.is_empty(),
        "no crates under {}",
        functions.display()
    );
    binaries
}

/// The `name` and `path` of the first `[[bin]]` table of a Cargo.toml.
fn bin_target(manifest: &str) -> Option<(String, Option<String>)> {
    let mut in_bin = false;
    let (mut name, mut path) = (None, None);
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            if in_bin {
                break;
            }
            in_bin = line == "[[bin]]";
            continue;
        }
        if !in_bin {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_owned();
        match key.trim() {
            "name" => name = Some(value),
            "path" => path = Some(value),
            _ => {}
        }
    }
    name.map(|name| (name, path))
}

/// Every operation of docs/openapi.json as (METHOD, path, the binary of its tag).
fn listed_routes() -> Vec<(String, String, String)> {
    let document: serde_json::Value = serde_json::from_str(&read("docs/openapi.json")).unwrap();
    let mut routes = Vec::new();
    for (path, item) in document["paths"]
        .as_object()
        .expect("docs/openapi.json has paths")
    {
        for (method, operation) in item.as_object().unwrap() {
            let tags = operation["tags"].as_array();
            let [binary] = tags.map(Vec::as_slice).unwrap_or_default() else {
                panic!("docs/openapi.json: {method} {path} needs one tag, its function");
            };
            let binary = binary.as_str().unwrap().to_owned();
            routes.push((method.to_uppercase(), path.clone(), binary));
        }
    }
    routes
}

/// Every `HttpApi` event of the template as (method, path, binary), in order.
fn template_routes(template: &Value) -> Vec<(String, String, String)> {
    let mut routes = Vec::new();
    for (binary, (id, function)) in functions(template) {
        let Some(events) = function["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (name, event) in events {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let properties = &event["Properties"];
            assert_eq!(
                show(&properties["ApiId"]),
                "!Ref Api",
                "{id}'s event {} must be a route of the stack's one API (ApiId: !Ref Api)",
                show(name)
            );
            routes.push((
                show(&properties["Method"]).to_uppercase(),
                show(&properties["Path"]),
                binary.clone(),
            ));
        }
    }
    routes
}

#[test]
fn every_function_crate_is_deployed_by_one_function_building_its_binary() {
    let template = template();
    let deployed: BTreeSet<String> = functions(&template).into_keys().collect();
    let crates: BTreeSet<String> = function_binaries().into_iter().collect();

    assert_eq!(
        deployed, crates,
        "the binaries template.yaml deploys (left) differ from the [[bin]]s of the crates under \
         functions/ (right)"
    );
}

#[test]
fn every_function_is_a_rust_binary_for_arm64_built_by_cargo_lambda() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    for (binary, (id, function)) in functions(&template) {
        let setting = |name: &str| {
            let own = &function["Properties"][name];
            show(if own.is_null() { &globals[name] } else { own })
        };
        assert_eq!(
            function["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{id} ({binary}): Metadata.BuildMethod"
        );
        assert_eq!(setting("Runtime"), "provided.al2023", "{id}: Runtime");
        assert_eq!(setting("Handler"), "bootstrap", "{id}: Handler");
        let architectures = function["Properties"]["Architectures"].clone();
        let architectures = if architectures.is_null() {
            globals["Architectures"].clone()
        } else {
            architectures
        };
        assert_eq!(
            one_or_many(&architectures)
                .into_iter()
                .map(show)
                .collect::<Vec<_>>(),
            ["arm64"],
            "{id}: Architectures"
        );
    }
}

#[test]
fn every_route_of_the_api_is_served_once_by_its_function() {
    let template = template();
    let mut declared: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (method, path, binary) in template_routes(&template) {
        declared.entry((method, path)).or_default().push(binary);
    }
    let twice: Vec<_> = declared
        .iter()
        .filter(|(_, binaries)| binaries.len() > 1)
        .collect();
    assert!(
        twice.is_empty(),
        "routes declared more than once: {twice:?}"
    );

    let mut listed: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (method, path, binary) in listed_routes() {
        listed.entry((method, path)).or_default().push(binary);
    }
    let repeated: Vec<_> = listed
        .iter()
        .filter(|(_, binaries)| binaries.len() > 1)
        .collect();
    assert!(
        repeated.is_empty(),
        "docs/openapi.json lists these more than once: {repeated:?}"
    );

    let missing: Vec<_> = listed
        .iter()
        .filter(|(route, binaries)| declared.get(*route) != Some(*binaries))
        .collect();
    let unlisted: Vec<_> = declared
        .iter()
        .filter(|(route, _)| !listed.contains_key(*route))
        .collect();
    assert!(
        missing.is_empty() && unlisted.is_empty(),
        "template.yaml must route exactly the operations of docs/openapi.json, each to the \
         binary of its tag.\n  listed but not so routed (route, \
         binary): {missing:?}\n  routed but not listed (route, binary): {unlisted:?}"
    );
}

#[test]
fn no_lambda_serves_a_dev_route() {
    let template = template();
    let dev: Vec<_> = template_routes(&template)
        .into_iter()
        .chain(listed_routes())
        .filter(|(_, path, _)| path == "/dev" || path.starts_with("/dev/"))
        .collect();
    assert!(
        dev.is_empty(),
        "/dev routes exist in portal-local only, never in AWS: {dev:?}"
    );
}

/// Every statement a function's `Policies` grant it: inline ones, and those of the managed
/// policies of this template it names. Anything else (a SAM policy template, an AWS managed
/// policy) would grant what this file cannot see, and fails.
fn statements<'a>(template: &'a Value, id: &str, function: &'a Value) -> Vec<&'a Value> {
    let mut statements = Vec::new();
    for policy in one_or_many(&function["Properties"]["Policies"]) {
        if let Some(inline) = policy["Statement"].as_sequence() {
            statements.extend(inline);
            continue;
        }
        let reference = show(policy);
        let managed = reference
            .strip_prefix("!Ref ")
            .map(|name| &template["Resources"][name])
            .filter(|resource| resource["Type"].as_str() == Some("AWS::IAM::ManagedPolicy"))
            .unwrap_or_else(|| {
                panic!(
                    "{id}'s policy {reference} is neither inline statements nor a managed \
                     policy declared in template.yaml: its grants cannot be checked"
                )
            });
        statements.extend(sequence_of(
            &managed["Properties"]["PolicyDocument"]["Statement"],
        ));
    }
    statements
}

fn sequence_of(value: &Value) -> Vec<&Value> {
    value
        .as_sequence()
        .map(|items| items.iter().collect())
        .unwrap_or_default()
}

/// Every (action, resource) pair a function is allowed.
fn grants(template: &Value, id: &str, function: &Value) -> BTreeSet<(String, String)> {
    let mut grants = BTreeSet::new();
    for statement in statements(template, id, function) {
        assert_eq!(
            statement["Effect"].as_str(),
            Some("Allow"),
            "{id}: a statement that is not a plain Allow: {statement:?}"
        );
        for action in one_or_many(&statement["Action"]) {
            for resource in one_or_many(&statement["Resource"]) {
                grants.insert((show(action), show(resource)));
            }
        }
    }
    grants
}

#[test]
fn no_function_policy_has_a_wildcard_action_or_any_resource() {
    let template = template();
    for (_, (id, function)) in functions(&template) {
        for (action, resource) in grants(&template, &id, function) {
            assert!(
                !action.contains('*'),
                "{id} is allowed the wildcard action {action}: name each action"
            );
            assert_ne!(
                resource, "*",
                "{id} is allowed {action} on Resource \"*\": name the resource"
            );
        }
    }
}

fn table_arn() -> String {
    "!GetAtt Table.Arn".to_owned()
}

fn index_arn() -> String {
    let [index] = TABLE.indexes else {
        panic!("this test knows one index; name each in the expected grants")
    };
    format!("!Sub ${{Table.Arn}}/index/{}", index.name)
}

/// What each function may do on the table, from the DynamoDB adapter's calls on its code
/// paths (shared/store/src/dynamo). A TransactWriteItems is authorized per item, as
/// PutItem, UpdateItem or ConditionCheckItem; docs/deploy.md, "IAM per function" explains each.
fn expected_dynamodb_grants() -> BTreeMap<&'static str, BTreeSet<(String, String)>> {
    let on = |resource: String, actions: &[&str]| -> Vec<(String, String)> {
        actions
            .iter()
            .map(|action| (format!("dynamodb:{action}"), resource.clone()))
            .collect()
    };
    let grants = |lists: Vec<Vec<(String, String)>>| lists.into_iter().flatten().collect();
    BTreeMap::from([
        // Reads of the request and the username guard; submit and resend are transactions
        // of Puts and the throttle counter's Update; verify is one Put; the sent mark.
        (
            "registration",
            grants(vec![on(table_arn(), &["GetItem", "PutItem", "UpdateItem"])]),
        ),
        // Reads, and the contacts a search found in bulk; a contact's recent logins are a
        // Query of the table, the review queue, contacts by name or text and the dead
        // emails lists of the index; link and approve check the contact and the
        // organization, approve Updates the contact's link; an edited contact deletes the
        // guards and search entries it no longer has.
        (
            "approval",
            grants(vec![
                on(
                    table_arn(),
                    &[
                        "GetItem",
                        "BatchGetItem",
                        "Query",
                        "PutItem",
                        "UpdateItem",
                        "DeleteItem",
                        "ConditionCheckItem",
                    ],
                ),
                on(index_arn(), &["Query"]),
            ]),
        ),
        // The OpenID provider: everything by key, like password (its login is the same);
        // a code's redemption is a transaction; logout deletes the provider session.
        (
            "oidc",
            grants(vec![on(
                table_arn(),
                &[
                    "GetItem",
                    "PutItem",
                    "UpdateItem",
                    "DeleteItem",
                    "ConditionCheckItem",
                ],
            )]),
        ),
        // Everything by key: logins, acceptance, resets and rotations are transactions
        // (a rotation checks its session family); logout, counting a login attempt, the
        // reset throttle and the sent mark are Updates; a successful login or a reset
        // deletes the username's login guard. Never a query.
        (
            "password",
            grants(vec![on(
                table_arn(),
                &[
                    "GetItem",
                    "PutItem",
                    "UpdateItem",
                    "DeleteItem",
                    "ConditionCheckItem",
                ],
            )]),
        ),
        // Bulk reads of contacts and users (BatchGetItem), logins (a Query of the table),
        // member lists (the index); members written in shared transactions with their
        // contact's link (Update) and the organization's check.
        (
            "invitation",
            grants(vec![
                on(
                    table_arn(),
                    &[
                        "GetItem",
                        "BatchGetItem",
                        "Query",
                        "PutItem",
                        "UpdateItem",
                        "ConditionCheckItem",
                    ],
                ),
                on(index_arn(), &["Query"]),
            ]),
        ),
        // The user, the transition (user, invitation pointer, email, organization check),
        // the sent mark; the members list: is another administrator left? A staff unlock
        // deletes the username's login guard in the user's transaction.
        (
            "deactivation",
            grants(vec![
                on(
                    table_arn(),
                    &[
                        "GetItem",
                        "PutItem",
                        "UpdateItem",
                        "DeleteItem",
                        "ConditionCheckItem",
                    ],
                ),
                on(index_arn(), &["Query"]),
            ]),
        ),
        // The job and its chunks by key and a Query of its partition, the open jobs a
        // Query of the index; new members as the bulk writes them (batch reads,
        // transactions with the contact's link Update and the organization's check); and
        // Lambda reads the table's stream for it.
        (
            "importer",
            grants(vec![
                on(
                    table_arn(),
                    &[
                        "GetItem",
                        "BatchGetItem",
                        "Query",
                        "PutItem",
                        "UpdateItem",
                        "ConditionCheckItem",
                    ],
                ),
                on(index_arn(), &["Query"]),
                on(
                    "!GetAtt Table.StreamArn".to_owned(),
                    &["DescribeStream", "GetRecords", "GetShardIterator"],
                ),
                on("!Sub ${Table.Arn}/stream/*".to_owned(), &["ListStreams"]),
            ]),
        ),
        // Due messages are a Query of the index; claim, sent and failed are Updates; and
        // Lambda reads the table's stream for it.
        (
            "mailer",
            grants(vec![
                on(table_arn(), &["UpdateItem"]),
                on(index_arn(), &["Query"]),
                on(
                    "!GetAtt Table.StreamArn".to_owned(),
                    &["DescribeStream", "GetRecords", "GetShardIterator"],
                ),
                on("!Sub ${Table.Arn}/stream/*".to_owned(), &["ListStreams"]),
            ]),
        ),
        ("pages", BTreeSet::new()),
    ])
}

#[test]
fn each_function_may_make_exactly_the_dynamodb_calls_its_code_makes() {
    let template = template();
    let expected = expected_dynamodb_grants();
    for (binary, (id, function)) in functions(&template) {
        let granted: BTreeSet<(String, String)> = grants(&template, &id, function)
            .into_iter()
            .filter(|(action, _)| action.starts_with("dynamodb:"))
            .collect();
        let wanted = expected.get(binary.as_str()).unwrap_or_else(|| {
            panic!(
                "a new function, {binary}: add what its store calls need to \
                 expected_dynamodb_grants in this file"
            )
        });
        assert_eq!(
            &granted, wanted,
            "{id} ({binary}) is allowed (left) other DynamoDB calls than its code paths make \
             (right)"
        );
    }
}

/// The partitions each function's DynamoDB calls touch, as `dynamodb:LeadingKeys`
/// patterns by resource: on the table, prefixes of `pk` (the key formats of
/// shared/store/src/dynamo/items.rs); on the index, the lists' `gsi1pk`, which is what
/// LeadingKeys names for a Query of an index. Traced from each function's routes through
/// portal_domain's use cases to the store calls they make. Moto does not check IAM, so a
/// prefix missing here and in template.yaml breaks that function in AWS only.
fn expected_leading_keys() -> BTreeMap<&'static str, BTreeMap<String, BTreeSet<&'static str>>> {
    let on = |grants: Vec<(String, Vec<&'static str>)>| {
        grants
            .into_iter()
            .map(|(resource, patterns)| (resource, patterns.into_iter().collect()))
            .collect()
    };
    BTreeMap::from([
        // submit: is the email a user's (USERNAME#), the request, its code email and the
        // throttle counter; verify and resend: the request (and a new code email); every
        // route: the client's counter (THROTTLE#); the email's sent mark (OUTBOX#).
        (
            "registration",
            on(vec![(
                table_arn(),
                vec!["REG#*", "OUTBOX#*", "THROTTLE#*", "USERNAME#*"],
            )]),
        ),
        // The queue (REGSTATUS# lists) and a request with its suggestions: the contact
        // with its email (EMAIL# guard, CONTACT#) and those with its name (CONTACTNAME#
        // lists); contacts created, found by email, shown with their user and logins
        // (USER#); link (REG#, CONTACT#, EMAIL#); approve (REG#, USER#, USERNAME#,
        // CONTACT#, INV#, OUTBOX#, the organization ORG# checked and its roles read);
        // reject (REG#, OUTBOX#); the dead emails (the OUTBOX#dead list).
        (
            "approval",
            on(vec![
                (
                    table_arn(),
                    vec![
                        "REG#*",
                        "CONTACT#*",
                        "EMAIL#*",
                        "EXTREF#*",
                        "USER#*",
                        "USERNAME#*",
                        "INV#*",
                        "ORG#*",
                        "OUTBOX#*",
                        "STAFFSIGNIN#*",
                        "STAFFSESSION#*",
                        "THROTTLE#*",
                        "OIDCCLIENT#*",
                    ],
                ),
                (
                    index_arn(),
                    vec![
                        "REGSTATUS#*",
                        "CONTACTNAME#*",
                        "CONTACTSEARCH#*",
                        "OUTBOX#dead",
                        "OIDCCLIENTS",
                    ],
                ),
            ]),
        ),
        // The provider's clients, codes and sessions; its login (as password's); app
        // sessions (FAMILY#, REFRESH#); the organization's roles; the per-client counter.
        (
            "oidc",
            on(vec![(
                table_arn(),
                vec![
                    "OIDCCLIENT#*",
                    "OIDCCODE#*",
                    "OIDCSESSION#*",
                    "USER#*",
                    "USERNAME#*",
                    "GUARD#*",
                    "FAMILY#*",
                    "REFRESH#*",
                    "ORG#*",
                    "THROTTLE#*",
                ],
            )]),
        ),
        // lookup and accept: the invitation pointer (INV#), the user, a new session
        // (FAMILY#, REFRESH#), the organization's roles (ORG#); login: the username guard,
        // the user, the login guard (GUARD#: read, counted, deleted), a login event (in
        // USER#), a session; refresh and logout: REFRESH#, FAMILY#, USER#; /me: USER#,
        // FAMILY#, ORG#; resets: USERNAME#, USER#, RESET#, their emails (OUTBOX#), the
        // reset throttle, GUARD#; every public route: the client's counter (THROTTLE#).
        (
            "password",
            on(vec![(
                table_arn(),
                vec![
                    "USER#*",
                    "USERNAME#*",
                    "EMAIL#*",
                    "CONTACT#*",
                    "INV#*",
                    "GUARD#*",
                    "FAMILY#*",
                    "REFRESH#*",
                    "RESET#*",
                    "ORG#*",
                    "OUTBOX#*",
                    "THROTTLE#*",
                ],
            )]),
        ),
        // Users: created for a contact (CONTACT# linked, USER#, USERNAME#, INV#, OUTBOX#,
        // ORG# checked), listed (ORGMEMBERS# lists), shown with their logins (USER#) and
        // organization's roles (ORG#), changed, invited again; organizations (ORG#); bulk
        // members: contacts by email (EMAIL#, CONTACT#, both read and created), their
        // users; access information (a new INV# or a RESET# link, OUTBOX#); organizations
        // by name (the ORGS list); /org routes: the caller's user and session family
        // (FAMILY#).
        (
            "invitation",
            on(vec![
                (
                    table_arn(),
                    vec![
                        "USER#*",
                        "USERNAME#*",
                        "INV#*",
                        "CONTACT#*",
                        "EMAIL#*",
                        "EXTREF#*",
                        "ORG#*",
                        "OUTBOX#*",
                        "RESET#*",
                        "FAMILY#*",
                        "IMPORT#*",
                        "STAFFSESSION#*",
                    ],
                ),
                (index_arn(), vec!["ORGMEMBERS#*", "USERS", "ORGS"]),
            ]),
        ),
        // The user, its transition (USER#, a reactivation's new INV# pointer, OUTBOX#,
        // ORG# checked); a staff unlock (USER#, the login guard GUARD# deleted); /org
        // routes: the caller's session family (FAMILY#) and the organization's members (is
        // another administrator left? ORGMEMBERS# lists).
        (
            "deactivation",
            on(vec![
                (
                    table_arn(),
                    vec![
                        "USER#*",
                        "INV#*",
                        "OUTBOX#*",
                        "ORG#*",
                        "FAMILY#*",
                        "GUARD#*",
                        "STAFFSESSION#*",
                    ],
                ),
                (index_arn(), vec!["ORGMEMBERS#*"]),
            ]),
        ),
        // A job (IMPORT#) and what its rows write: contacts with their guards and search
        // entries, users, their username guards, invitation pointers and emails, the
        // organization checked; the open jobs (the IMPORTS#open list).
        (
            "importer",
            on(vec![
                (
                    table_arn(),
                    vec![
                        "IMPORT#*",
                        "CONTACT#*",
                        "EMAIL#*",
                        "EXTREF#*",
                        "USER#*",
                        "USERNAME#*",
                        "INV#*",
                        "ORG#*",
                        "OUTBOX#*",
                    ],
                ),
                (index_arn(), vec!["IMPORTS#open"]),
            ]),
        ),
        // The pending list, and the messages it claims, marks sent or releases.
        (
            "mailer",
            on(vec![
                (table_arn(), vec!["OUTBOX#*"]),
                (index_arn(), vec!["OUTBOX#pending"]),
            ]),
        ),
        ("pages", BTreeMap::new()),
    ])
}

/// A function's `dynamodb:LeadingKeys` patterns by resource (the table, the index): those
/// of all its statements on them, each of which must carry the condition and nothing else.
fn leading_keys(
    template: &Value,
    id: &str,
    function: &Value,
) -> BTreeMap<String, BTreeSet<String>> {
    let items = [table_arn(), index_arn()];
    let mut keys = BTreeMap::new();
    for statement in statements(template, id, function) {
        let resources: Vec<String> = one_or_many(&statement["Resource"])
            .into_iter()
            .map(show)
            .collect();
        if !resources.iter().any(|resource| items.contains(resource)) {
            continue;
        }
        assert!(
            resources.iter().all(|resource| items.contains(resource)),
            "{id}: one statement grants the table's items and {resources:?}: split it, the \
             LeadingKeys condition applies to items only"
        );
        // ForAllValues: every partition key of a request must match a pattern. It also
        // holds for a request without keys (a Scan): expected_dynamodb_grants keeps those out.
        let condition = &statement["Condition"];
        let operators: Vec<String> = condition
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(operator, _)| show(operator))
            .collect();
        let keyed: Vec<String> = condition["ForAllValues:StringLike"]
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(key, _)| show(key))
            .collect();
        assert!(
            operators == ["ForAllValues:StringLike"] && keyed == ["dynamodb:LeadingKeys"],
            "{id}: its grant on {resources:?} must be held to partitions by exactly \
             `ForAllValues:StringLike: {{dynamodb:LeadingKeys: [...]}}`, not {condition:?}"
        );
        let patterns: BTreeSet<String> =
            one_or_many(&condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
                .into_iter()
                .map(show)
                .collect();
        for resource in resources {
            keys.entry(resource)
                .or_insert_with(BTreeSet::new)
                .extend(patterns.iter().cloned());
        }
    }
    keys
}

#[test]
fn each_function_reaches_only_the_partitions_its_code_paths_touch() {
    let template = template();
    let expected = expected_leading_keys();
    for (binary, (id, function)) in functions(&template) {
        let granted = leading_keys(&template, &id, function);
        let wanted: BTreeMap<String, BTreeSet<String>> = expected
            .get(binary.as_str())
            .unwrap_or_else(|| {
                panic!(
                    "a new function, {binary}: add the partitions its store calls touch to \
                     expected_leading_keys in this file"
                )
            })
            .iter()
            .map(|(resource, patterns)| {
                let patterns = patterns.iter().map(|pattern| (*pattern).to_owned());
                (resource.clone(), patterns.collect())
            })
            .collect();
        assert_eq!(
            granted, wanted,
            "{id} ({binary}) may reach (left) other partitions than its code paths touch \
             (right), by resource"
        );
    }
}

/// Deleting is for guards, search entries and staff sign-ins and sessions only (a success,
/// a reset or an unlock forgets the count; a callback uses up its sign-in; logout ends a
/// staff session): every DeleteItem grant stands alone, held to those keys, so no function
/// may delete users, portal sessions or anything else.
#[test]
fn only_guards_and_search_entries_are_deleted() {
    let template = template();
    for (_, (id, function)) in functions(&template) {
        for statement in statements(&template, &id, function) {
            let actions: Vec<String> = one_or_many(&statement["Action"])
                .into_iter()
                .map(show)
                .collect();
            if !actions.iter().any(|action| action == "dynamodb:DeleteItem") {
                continue;
            }
            let keys: Vec<String> = one_or_many(
                &statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
            )
            .into_iter()
            .map(show)
            .collect();
            // Login guards; and an edited contact's old email and reference guards and
            // the search entries in its partition (a contact itself is never deleted,
            // which the partition alone cannot say).
            let deletable = [
                "GUARD#*",
                "CONTACT#*",
                "EMAIL#*",
                "EXTREF#*",
                "STAFFSIGNIN#*",
                "STAFFSESSION#*",
                "OIDCCLIENT#*",
                "OIDCSESSION#*",
            ];
            assert!(
                actions == ["dynamodb:DeleteItem"]
                    && keys.iter().all(|key| deletable.contains(&key.as_str())),
                "{id}: DeleteItem in its own statement, held to {deletable:?}, not \
                 {actions:?} on {keys:?}"
            );
        }
    }
}

/// The partition key prefixes the store formats keys and lists with: `format!("REG#{id}")`
/// gives `REG#`.
fn formatted_key_prefixes(source: &str) -> BTreeSet<String> {
    source
        .split("format!(\"")
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                .collect();
            let prefix = format!("{name}#");
            (!name.is_empty() && rest[name.len()..].starts_with("#{")).then_some(prefix)
        })
        .collect()
}

#[test]
fn the_leading_keys_are_the_stores_partitions_and_each_partition_has_a_function() {
    let source: String = rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
        .iter()
        .map(|file| std::fs::read_to_string(file).expect("a source file"))
        .collect();
    let prefixes = formatted_key_prefixes(&source);
    assert!(
        prefixes.contains("REG#") && prefixes.contains("ORGMEMBERS#"),
        "found no key formats in shared/store/src: this test no longer reads them ({prefixes:?})"
    );
    let granted: BTreeSet<&str> = expected_leading_keys()
        .into_values()
        .flat_map(BTreeMap::into_values)
        .flatten()
        .collect();
    for pattern in &granted {
        let known = match pattern.strip_suffix('*') {
            Some(prefix) => prefixes.contains(prefix),
            // A whole key: one of the store's named lists (`OUTBOX#pending`).
            None => source.contains(&format!("\"{pattern}\"")),
        };
        assert!(
            known,
            "{pattern} is no partition of shared/store/src (a typo, or a key format that moved)"
        );
    }
    for prefix in prefixes {
        assert!(
            granted.contains(format!("{prefix}*").as_str()),
            "the store keys items and lists with {prefix}, but no function may reach them: \
             grant the functions whose code paths write or read them (template.yaml and \
             expected_leading_keys)"
        );
    }
}

/// Whitespace removed, so that chained calls split over lines read as one.
fn compact(source: &str) -> String {
    source.chars().filter(|c| !c.is_whitespace()).collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|error| panic!("{dir:?}: {error}")) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}

/// The identifiers that follow `marker` in `source` (compacted), e.g. the SDK operation
/// after `.client.`.
fn calls_after(source: &str, marker: &str) -> BTreeSet<String> {
    source
        .split(marker)
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn the_dynamodb_adapter_calls_only_what_the_policies_grant() {
    let adapter = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/dynamo");
    let mut operations = BTreeSet::new();
    let mut transaction_items = BTreeSet::new();
    for file in rust_files(&adapter) {
        let source = compact(&std::fs::read_to_string(&file).expect("a source file"));
        operations.extend(calls_after(&source, ".client."));
        transaction_items.extend(calls_after(&source, "TransactWriteItem::builder()."));
    }
    assert!(
        operations.contains("transact_write_items") && transaction_items.contains("put"),
        "found no DynamoDB calls in {}: this test no longer reads the adapter",
        adapter.display()
    );
    // The policies above grant these; a Scan (never in a request path) or a BatchWriteItem
    // would need a grant, and a reason. DeleteItem is granted for guards, search entries
    // and staff sign-ins and sessions only (only_guards_and_search_entries_are_deleted);
    // the adapter deletes those of staff on their own, the others inside transactions.
    let known: BTreeSet<String> = [
        "delete_item",
        "get_item",
        "batch_get_item",
        "query",
        "put_item",
        "update_item",
        "transact_write_items",
    ]
    .map(str::to_owned)
    .into();
    assert!(
        operations.is_subset(&known),
        "shared/store/src/dynamo calls {:?}, which no function's policy allows: grant it in \
         template.yaml and expected_dynamodb_grants, where it is needed",
        operations.difference(&known).collect::<Vec<_>>()
    );
    let items: BTreeSet<String> = ["put", "update", "delete", "condition_check"]
        .map(str::to_owned)
        .into();
    assert!(
        transaction_items.is_subset(&items),
        "transactions write {:?} items, which no function's policy allows",
        transaction_items.difference(&items).collect::<Vec<_>>()
    );
}

/// What a function's code declares it reads at cold start: its `FunctionConfig`, and the
/// log filter of `portal_http::init_tracing`, which every `main` calls first.
fn declared_variables(binary: &str) -> Vec<Variable> {
    let config = match binary {
        "registration" => portal_registration::FunctionConfig::variables(),
        "approval" => portal_approval::FunctionConfig::variables(),
        "invitation" => portal_invitation::FunctionConfig::variables(),
        "deactivation" => portal_deactivation::FunctionConfig::variables(),
        "password" => portal_password::FunctionConfig::variables(),
        "oidc" => portal_oidc::FunctionConfig::variables(),
        "mailer" => portal_mailer::FunctionConfig::variables(),
        "importer" => portal_importer::FunctionConfig::variables(),
        // Static files embedded in the binary; the provider only widens the console's CSP.
        "pages" => vec![portal_pages::STAFF_ISSUER],
        other => panic!("{other}: add its FunctionConfig to declared_variables"),
    };
    [config, vec![portal_http::LOG_FILTER]].concat()
}

/// Whether a function builds its ports (store and SES mailer), by what it reads.
fn builds_ports(binary: &str) -> bool {
    declared_variables(binary)
        .iter()
        .any(|variable| variable.name == "TABLE_NAME")
}

/// The functions that build their ports: they hold a mailer on SES, so they send.
fn functions_with_ports() -> BTreeSet<String> {
    function_binaries()
        .into_iter()
        .filter(|binary| builds_ports(binary))
        .collect()
}

#[test]
fn only_the_functions_that_send_email_may_send_and_only_as_the_sender() {
    let template = template();
    let mut senders = BTreeSet::new();
    for (binary, (id, function)) in functions(&template) {
        for statement in statements(&template, &id, function) {
            let actions: Vec<String> = one_or_many(&statement["Action"])
                .into_iter()
                .map(show)
                .collect();
            if !actions.iter().any(|action| action.starts_with("ses:")) {
                continue;
            }
            assert_eq!(actions, ["ses:SendEmail"], "{id}: SES actions");
            assert_eq!(
                show(&statement["Condition"]["StringEquals"]["ses:FromAddress"]),
                "!Ref EmailSender",
                "{id} may send only from the configured sender"
            );
            senders.insert(binary.clone());
        }
    }
    // Each request function tries its transition's email once at once; the mailer sends
    // the rest (docs/deploy.md, "IAM per function").
    assert_eq!(
        senders,
        functions_with_ports(),
        "the functions allowed to send (left) differ from those whose main builds the ports, \
         SES mailer included (right)"
    );
}

/// Every variable a function gets: the Globals', then its own (which win), as shown.
fn environment(template: &Value, function: &Value) -> BTreeMap<String, String> {
    let mut variables = BTreeMap::new();
    for scope in [
        &template["Globals"]["Function"]["Environment"]["Variables"],
        &function["Properties"]["Environment"]["Variables"],
    ] {
        for (name, value) in scope.as_mapping().into_iter().flatten() {
            variables.insert(show(name), show(value));
        }
    }
    variables
}

/// A secret: the variable that gives a function the ARN of its Secrets Manager secret,
/// the parameter the ARN comes from, and the variable that would hold the value itself
/// (portal-local's name for it; never set in AWS).
struct Secret {
    arn_variable: &'static str,
    parameter: &'static str,
    value_variable: &'static str,
}

const SECRETS: [Secret; 4] = [
    Secret {
        arn_variable: "OUTBOX_SEAL_KEY_SECRET_ARN",
        parameter: "OutboxSealKeySecretArn",
        value_variable: "OUTBOX_SEAL_KEY",
    },
    Secret {
        arn_variable: "PORTAL_SIGNING_KEY_SECRET_ARN",
        parameter: "PortalSigningKeySecretArn",
        value_variable: "PORTAL_SIGNING_KEY",
    },
    Secret {
        arn_variable: "PORTAL_OIDC_KEYS_SECRET_ARN",
        parameter: "PortalOidcKeysSecretArn",
        value_variable: "PORTAL_OIDC_KEYS",
    },
    Secret {
        arn_variable: "STAFF_OIDC_CLIENT_SECRET_ARN",
        parameter: "StaffOidcClientSecretArn",
        value_variable: "STAFF_OIDC_CLIENT_SECRET",
    },
];

#[test]
fn each_function_gets_exactly_the_configuration_its_code_declares() {
    let template = template();
    let globals: BTreeSet<String> = template["Globals"]["Function"]["Environment"]["Variables"]
        .as_mapping()
        .into_iter()
        .flatten()
        .map(|(name, _)| show(name))
        .collect();
    for (binary, (id, function)) in functions(&template) {
        let variables = environment(&template, function);
        let declared = declared_variables(&binary);
        let missing: Vec<_> = declared
            .iter()
            .filter(|variable| variable.required && !variables.contains_key(variable.name))
            .map(|variable| variable.name)
            .collect();
        assert!(
            missing.is_empty(),
            "{id} ({binary}) would fail its cold start: template.yaml does not set {missing:?}"
        );
        // The Globals reach every function; those without ports (the pages) ignore them.
        let unread: Vec<_> = variables
            .keys()
            .filter(|name| builds_ports(&binary) || !globals.contains(*name))
            .filter(|name| !declared.iter().any(|variable| variable.name == *name))
            .collect();
        assert!(
            unread.is_empty(),
            "{id} ({binary}) is given {unread:?}, which its FunctionConfig never reads"
        );
        assert!(
            !variables.contains_key("STAFF_JWT_SECRET"),
            "{id}: staff tokens are verified against the identity provider's keys in AWS; \
             STAFF_JWT_SECRET (HS256) is for portal-local"
        );
    }
}

#[test]
fn no_function_reads_a_secret_from_its_environment() {
    for binary in function_binaries() {
        let plain: Vec<_> = declared_variables(&binary)
            .into_iter()
            .filter(|variable| {
                SECRETS
                    .iter()
                    .any(|secret| variable.name == secret.value_variable)
            })
            .collect();
        assert!(
            plain.is_empty(),
            "{binary} reads {plain:?} from its environment (readable with \
             lambda:GetFunctionConfiguration): read the key from Secrets Manager at cold \
             start, as portal_lambda does"
        );
    }
}

#[test]
fn no_function_has_a_secret_in_its_environment() {
    let template = template();
    for (name, parameter) in template["Parameters"].as_mapping().into_iter().flatten() {
        assert!(
            parameter["NoEcho"].is_null(),
            "parameter {}: secrets stay in Secrets Manager, they are not NoEcho parameters",
            show(name)
        );
    }
    for (binary, (id, function)) in functions(&template) {
        for (name, value) in environment(&template, function) {
            assert!(
                SECRETS.iter().all(|secret| name != secret.value_variable),
                "{id} ({binary}) has {name} in its environment: give it {name}_SECRET_ARN and \
                 let it read the secret at cold start"
            );
            assert!(
                !value.contains("{{resolve:"),
                "{id} ({binary}): {name} is a dynamic reference, which CloudFormation resolves \
                 into the environment in plain text: {value}"
            );
        }
    }
}

#[test]
fn each_function_may_read_exactly_the_secrets_its_main_reads() {
    let template = template();
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    for secret in &SECRETS {
        let parameter = &template["Parameters"][secret.parameter];
        assert_eq!(
            parameter["Type"].as_str(),
            Some("String"),
            "template.yaml needs the parameter {}, the ARN of {}'s secret",
            secret.parameter,
            secret.value_variable
        );
        // A whole ARN (with Secrets Manager's suffix), so that a grant on it names one
        // secret, not every secret whose name starts alike.
        let pattern = parameter["AllowedPattern"].as_str().unwrap_or_default();
        assert!(
            pattern.starts_with("^arn:") && pattern.contains(":secretsmanager:"),
            "{}: AllowedPattern must take the secret's ARN only, not {pattern:?}",
            secret.parameter
        );
        assert!(
            globals[secret.arn_variable].is_null(),
            "{} is set in Globals, so every function (the pages too) could read the secret",
            secret.arn_variable
        );
    }
    for (binary, (id, function)) in functions(&template) {
        let variables = environment(&template, function);
        let declared = declared_variables(&binary);
        let mut wanted = BTreeSet::new();
        for secret in &SECRETS {
            let reads = declared
                .iter()
                .any(|variable| variable.name == secret.arn_variable);
            let reference = format!("!Ref {}", secret.parameter);
            match variables.get(secret.arn_variable) {
                Some(value) => {
                    assert!(
                        reads,
                        "{id} ({binary}) gets {} but its main never reads that secret",
                        secret.arn_variable
                    );
                    assert_eq!(
                        value, &reference,
                        "{id}: {} must be the ARN the parameter {} gives",
                        secret.arn_variable, secret.parameter
                    );
                }
                None => assert!(!reads, "{id} lacks {}", secret.arn_variable),
            }
            if reads {
                wanted.insert(("secretsmanager:GetSecretValue".to_owned(), reference));
            }
        }
        let granted: BTreeSet<(String, String)> = grants(&template, &id, function)
            .into_iter()
            .filter(|(action, _)| action.starts_with("secretsmanager:"))
            .collect();
        assert_eq!(
            granted, wanted,
            "{id} ({binary}) may call Secrets Manager on (left) other than exactly the secrets \
             its main reads (right)"
        );
    }
}

#[test]
fn the_workers_streams_and_schedules_give_up_into_a_dead_letter_queue_with_an_alarm() {
    for worker in ["mailer", "importer"] {
        stream_and_schedule_give_up_into_a_watched_queue(worker);
    }
}

/// `worker` has one stream mapping and one schedule, both giving up into one queue of
/// the template, which an alarm watches.
fn stream_and_schedule_give_up_into_a_watched_queue(worker: &str) {
    let template = template();
    let (mailer, function) = functions(&template)
        .remove(worker)
        .unwrap_or_else(|| panic!("a function building the {worker}"));
    let queues: BTreeSet<String> = resources_of_type(&template, "AWS::SQS::Queue")
        .into_iter()
        .map(|(id, _)| format!("!GetAtt {id}.Arn"))
        .collect();

    let streams: Vec<_> = resources_of_type(&template, "AWS::Lambda::EventSourceMapping")
        .into_iter()
        .filter(|(_, mapping)| {
            show(&mapping["Properties"]["FunctionName"]) == format!("!Ref {mailer}")
        })
        .collect();
    let [(stream_id, stream)] = streams.as_slice() else {
        panic!("the {worker} needs one event source mapping (the table's stream): {streams:?}")
    };
    let stream = &stream["Properties"];
    assert_eq!(show(&stream["EventSourceArn"]), "!GetAtt Table.StreamArn");
    let dead_letters = show(&stream["DestinationConfig"]["OnFailure"]["Destination"]);
    assert!(
        queues.contains(&dead_letters),
        "{stream_id}: DestinationConfig.OnFailure must be an SQS queue of the template, not \
         {dead_letters}"
    );

    let schedules: Vec<&Value> = function["Properties"]["Events"]
        .as_mapping()
        .into_iter()
        .flatten()
        .map(|(_, event)| event)
        .filter(|event| event["Type"].as_str() == Some("ScheduleV2"))
        .collect();
    let [sweep] = schedules.as_slice() else {
        panic!("the {worker} needs one ScheduleV2 event (the sweep)")
    };
    assert_eq!(
        show(&sweep["Properties"]["DeadLetterConfig"]["Arn"]),
        dead_letters,
        "the sweep's DeadLetterConfig is the stream's failure queue"
    );

    let queue = dead_letters
        .trim_start_matches("!GetAtt ")
        .trim_end_matches(".Arn");
    let watched = resources_of_type(&template, "AWS::CloudWatch::Alarm")
        .into_iter()
        .any(|(_, alarm)| {
            let alarm = &alarm["Properties"];
            alarm["Namespace"].as_str() == Some("AWS/SQS")
                && sequence_of(&alarm["Dimensions"]).iter().any(|dimension| {
                    show(&dimension["Value"]) == format!("!GetAtt {queue}.QueueName")
                })
        });
    assert!(watched, "no alarm watches the dead-letter queue {queue}");
}

#[test]
fn every_function_has_an_alarm_on_its_errors_and_the_api_on_its_5xx() {
    let template = template();
    let alarms: Vec<&Value> = resources_of_type(&template, "AWS::CloudWatch::Alarm")
        .into_iter()
        .map(|(_, alarm)| &alarm["Properties"])
        .collect();
    let watches = |namespace: &str, metric: &str, dimension: &str, value: &str| {
        alarms.iter().any(|alarm| {
            alarm["Namespace"].as_str() == Some(namespace)
                && show(&alarm["MetricName"]) == metric
                && sequence_of(&alarm["Dimensions"]).iter().any(|each| {
                    each["Name"].as_str() == Some(dimension) && show(&each["Value"]) == value
                })
        })
    };
    for (_, (id, _)) in functions(&template) {
        assert!(
            watches(
                "AWS/Lambda",
                "Errors",
                "FunctionName",
                &format!("!Ref {id}")
            ),
            "no alarm on {id}'s Errors"
        );
    }
    assert!(
        watches("AWS/ApiGateway", "5xx", "ApiId", "!Ref Api"),
        "no alarm on the API's 5xx answers"
    );
    assert!(
        watches("PortalOnboarding", "DeadEmails", "Service", "mailer"),
        "no alarm on the emails the mailer gave up on"
    );
}

#[test]
fn the_stack_outputs_the_api_url_and_the_table_name() {
    let template = template();
    let outputs = &template["Outputs"];
    assert!(
        show(&outputs["ApiUrl"]["Value"]).contains("${Api}.execute-api."),
        "an ApiUrl output with the API's URL"
    );
    assert_eq!(show(&outputs["TableName"]["Value"]), "!Ref Table");
}

/// Every variable the template gives a function (its own and the globals), and every one a
/// function's code reads, is explained in docs/configuration.md, by its exact name.
#[test]
fn every_variable_is_documented() {
    let template = template();
    let documented = read("docs/configuration.md");
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    let mut undocumented = BTreeSet::new();
    let own = functions(&template)
        .into_values()
        .map(|(_, function)| &function["Properties"]["Environment"]["Variables"])
        .collect::<Vec<_>>();
    for variables in own.into_iter().chain([globals]) {
        for name in variables.as_mapping().into_iter().flat_map(|m| m.keys()) {
            let name = name.as_str().expect("a variable name");
            if !documented.contains(&format!("`{name}`")) {
                undocumented.insert(name.to_owned());
            }
        }
    }
    for binary in function_binaries() {
        for variable in declared_variables(&binary) {
            if !documented.contains(&format!("`{}`", variable.name)) {
                undocumented.insert(variable.name.to_owned());
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "docs/configuration.md does not explain {undocumented:?}"
    );
}
