//! `template.yaml` must deploy what the code is: one function for every crate under
//! `functions/`, every route of the API (`infra/routes.txt`, which mirrors
//! `../shared/API.md`) on the function that serves it, and each function with exactly the
//! permissions, secrets and configuration its code needs, and an alarm on its errors.
//! (`template.rs` beside this file checks the table.)
//!
//! The template is read as YAML, CloudFormation's tags kept: `!Ref Api` reads as
//! `"!Ref Api"`, `!Sub "${Table.Arn}/index/gsi1"` as `"!Sub ${Table.Arn}/index/gsi1"`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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

/// A function crate under `functions/`: its binary and the file of its `main`.
struct Crate {
    dir: PathBuf,
    binary: String,
    main: PathBuf,
}

/// Every crate under `functions/`, read from its Cargo.toml's `[[bin]]` (name and path).
fn function_crates() -> Vec<Crate> {
    let functions = Path::new(ROOT).join("functions");
    let mut crates: Vec<Crate> = std::fs::read_dir(&functions)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", functions.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .map(|dir| {
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
            let (binary, main) = bin_target(&manifest).unwrap_or_else(|| {
                panic!(
                    "{}/Cargo.toml declares no [[bin]] with a name: a function crate builds \
                     the binary template.yaml deploys",
                    dir.display()
                )
            });
            let main = dir.join(main.unwrap_or_else(|| "src/main.rs".to_owned()));
            Crate { dir, binary, main }
        })
        .collect();
    crates.sort_by(|a, b| a.binary.cmp(&b.binary));
    assert!(
        !crates.is_empty(),
        "no crates under {}",
        functions.display()
    );
    crates
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

/// `METHOD PATH BINARY` lines of infra/routes.txt.
fn listed_routes() -> Vec<(String, String, String)> {
    read("infra/routes.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(
            |line| match line.split_whitespace().collect::<Vec<_>>()[..] {
                [method, path, binary] => (method.to_owned(), path.to_owned(), binary.to_owned()),
                _ => panic!("infra/routes.txt: `{line}` is not `METHOD PATH BINARY`"),
            },
        )
        .collect()
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
    let crates: BTreeSet<String> = function_crates()
        .into_iter()
        .map(|krate| krate.binary)
        .collect();

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
        "infra/routes.txt lists these more than once: {repeated:?}"
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
        "template.yaml must route exactly infra/routes.txt (the API.md routes, the README's \
         extra ones and the pages), each to its binary.\n  listed but not so routed (route, \
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
        "/dev routes exist in portal-local only (API.md), never in AWS: {dev:?}"
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
/// PutItem, UpdateItem or ConditionCheckItem; the README's "IAM per function" explains each.
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
        // Reads; a contact's recent logins are a Query of the table, the review queue,
        // contacts by name and the dead emails lists of the index; link and approve check
        // the contact and the organization, approve Updates the contact's link.
        (
            "approval",
            grants(vec![
                on(
                    table_arn(),
                    &[
                        "GetItem",
                        "Query",
                        "PutItem",
                        "UpdateItem",
                        "ConditionCheckItem",
                    ],
                ),
                on(index_arn(), &["Query"]),
            ]),
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
        // the sent mark; the members list: is another administrator left?
        (
            "deactivation",
            grants(vec![
                on(
                    table_arn(),
                    &["GetItem", "PutItem", "UpdateItem", "ConditionCheckItem"],
                ),
                on(index_arn(), &["Query"]),
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
    // would need a grant, and a reason. DeleteItem is granted to the password function
    // alone (the login guard), so the adapter calls it only inside transactions.
    let known: BTreeSet<String> = [
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

/// The function crate building `binary`, and the source of its `main`.
fn main_source(binary: &str) -> String {
    let krate = function_crates()
        .into_iter()
        .find(|krate| krate.binary == binary)
        .unwrap_or_else(|| panic!("no crate under functions/ builds {binary}"));
    std::fs::read_to_string(&krate.main).unwrap_or_else(|error| {
        panic!(
            "cannot read {} of {}: {error}",
            krate.main.display(),
            krate.dir.display()
        )
    })
}

/// The functions that build their ports: they hold a mailer on SES, so they send.
fn functions_with_ports() -> BTreeSet<String> {
    function_crates()
        .into_iter()
        .filter(|krate| main_source(&krate.binary).contains("ports_from_env"))
        .map(|krate| krate.binary)
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
    // the rest (README: "IAM per function").
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

/// What a `main` reads from the environment, by the configuration it builds there.
fn required_variables(main: &str) -> BTreeSet<&'static str> {
    let mut required = BTreeSet::new();
    // portal_lambda::ports_from_env and portal_email::EmailConfig::from_env.
    if main.contains("ports_from_env") {
        required.extend([
            "TABLE_NAME",
            "PORTAL_BASE_URL",
            "EMAIL_SENDER",
            "OUTBOX_SEAL_KEY",
        ]);
    }
    // A JWKS in AWS; STAFF_JWT_SECRET (HS256) is for portal-local only.
    if main.contains("StaffAuthConfig::from_env") {
        required.extend(["STAFF_JWT_ISSUER", "STAFF_JWT_AUDIENCE", "STAFF_JWKS"]);
    }
    if main.contains("AccessTokenConfig::from_env") {
        required.extend([
            "PORTAL_SIGNING_KEY",
            "PORTAL_TOKEN_ISSUER",
            "PORTAL_TOKEN_AUDIENCE",
        ]);
    }
    // Functions that only verify access tokens: the public key, never the signing key.
    if main.contains("AccessTokenVerifierConfig::from_env") {
        required.extend([
            "PORTAL_TOKEN_PUBLIC_KEY",
            "PORTAL_TOKEN_ISSUER",
            "PORTAL_TOKEN_AUDIENCE",
        ]);
    }
    required
}

/// The secrets, and the parameter naming the Secrets Manager secret each comes from.
const SECRETS: [(&str, &str); 2] = [
    ("OUTBOX_SEAL_KEY", "OutboxSealKeySecretName"),
    ("PORTAL_SIGNING_KEY", "PortalSigningKeySecretName"),
];

#[test]
fn each_function_gets_the_configuration_its_main_reads() {
    let template = template();
    for (binary, (id, function)) in functions(&template) {
        let variables = environment(&template, function);
        let main = main_source(&binary);
        let missing: Vec<_> = required_variables(&main)
            .into_iter()
            .filter(|name| !variables.contains_key(*name))
            .collect();
        assert!(
            missing.is_empty(),
            "{id} ({binary}) would fail its cold start: template.yaml does not set {missing:?}"
        );
        assert!(
            !variables.contains_key("STAFF_JWT_SECRET"),
            "{id}: staff tokens are verified against the identity provider's JWKS in AWS; \
             STAFF_JWT_SECRET (HS256) is for portal-local"
        );
    }
}

#[test]
fn the_secrets_come_from_secrets_manager_and_only_where_they_are_read() {
    let template = template();
    for (name, parameter) in template["Parameters"].as_mapping().into_iter().flatten() {
        assert!(
            parameter["NoEcho"].is_null(),
            "parameter {}: secrets come from Secrets Manager, not from NoEcho parameters",
            show(name)
        );
    }
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    for (secret, parameter) in SECRETS {
        assert!(
            globals[secret].is_null(),
            "{secret} is set in Globals, so every function (the pages too) would hold it"
        );
        assert_eq!(
            template["Parameters"][parameter]["Type"].as_str(),
            Some("String"),
            "template.yaml needs the parameter {parameter}, the name of {secret}'s secret"
        );
    }
    for (binary, (id, function)) in functions(&template) {
        let variables = environment(&template, function);
        let required = required_variables(&main_source(&binary));
        for (secret, parameter) in SECRETS {
            match variables.get(secret) {
                Some(value) => {
                    assert_eq!(
                        value,
                        &format!("!Sub {{{{resolve:secretsmanager:${{{parameter}}}}}}}"),
                        "{id}: {secret} must be a Secrets Manager dynamic reference to the \
                         secret {parameter} names (ssm-secure is not allowed in Lambda \
                         environment variables)"
                    );
                    assert!(
                        required.contains(secret),
                        "{id} ({binary}) gets {secret} but never reads it"
                    );
                }
                None => assert!(!required.contains(secret), "{id} lacks {secret}"),
            }
        }
    }
}

#[test]
fn the_mailers_stream_and_schedule_give_up_into_a_dead_letter_queue_with_an_alarm() {
    let template = template();
    let (mailer, function) = functions(&template)
        .remove("mailer")
        .expect("a function building the mailer");
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
        panic!("the mailer needs one event source mapping (the table's stream): {streams:?}")
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
        panic!("the mailer needs one ScheduleV2 event (the sweep)")
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
