//! `emrfsutils.py`: `create-cluster --emrfs`, an `emrfs-site` configuration on a cluster with a
//! release label, or the `configure-hadoop` bootstrap action (`-e key=value` arguments) on one
//! with an AMI version.

use super::steps::s3_link;
use super::*;

const CONSISTENT_OPTION: &str = "--emrfs Consistent=true/false";
const CSE_OPTION: &str = "--emrfs Encryption=ClientSide";
const CSE_KMS_OPTION: &str = "--emrfs Encryption=ClientSide,ProviderType=KMS";
const CSE_CUSTOM_OPTION: &str = "--emrfs Encryption=ClientSide,ProviderType=Custom";
const KMS_PROVIDER: &str = "com.amazon.ws.emr.hadoop.fs.cse.KMSEncryptionMaterialsProvider";
const CUSTOM_DESTINATION: &str = "/usr/share/aws/emr/auxlib";

/// A value of the option as the CLI's `str()` prints it (booleans as `True`/`False`, which the
/// CLI then lower-cases where it needs to).
fn text(args: &Map<String, Value>, key: &str) -> Option<String> {
    args.get(key).map(|value| match value {
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        other => text_of(other),
    })
}

fn upper(args: &Map<String, Value>, key: &str) -> Option<String> {
    text(args, key).map(|value| value.to_uppercase())
}

/// `_need_to_configure_cse`: client-side encryption with the provider `kind`.
fn client_side(args: &Map<String, Value>, kind: &str) -> bool {
    upper(args, "Encryption").as_deref() == Some("CLIENTSIDE")
        && upper(args, "ProviderType").as_deref() == Some(kind)
}

/// `emrutils.join`: `a, b and c`.
fn join(keys: &[&str]) -> String {
    match keys {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `_verify_emrfs_args`, with the CLI's sentences.
fn verify(args: &Map<String, Value>) -> Result<(), CommandError> {
    let has = |key: &str| args.contains_key(key);
    if let Some(encryption) = text(args, "Encryption") {
        if !["SERVERSIDE", "CLIENTSIDE"].contains(&encryption.to_uppercase().as_str()) {
            return Err(usage(format!(
                "The encryption type \"{encryption}\" is invalid. You must specify either \
                 ServerSide or ClientSide"
            )));
        }
    }
    if let (Some(sse), Some(encryption)) = (text(args, "SSE"), text(args, "Encryption")) {
        return Err(usage(format!(
            "Both SSE={sse} and Encryption={encryption} are configured for --emrfs. You must \
             specify only one of the two."
        )));
    }
    let required = |keys: &[&str], object: &str| -> Result<(), CommandError> {
        let missing: Vec<&str> = keys.iter().copied().filter(|key| !has(key)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(usage(format!(
            "The following required parameters are missing for {object}: {}.",
            join(&missing)
        )))
    };
    if upper(args, "Encryption").as_deref() == Some("CLIENTSIDE") {
        match upper(args, "ProviderType").as_deref() {
            None => required(&["ProviderType"], CSE_OPTION)?,
            Some("KMS") => required(&["KMSKeyId"], CSE_KMS_OPTION)?,
            Some("CUSTOM") => required(
                &["CustomProviderClass", "CustomProviderLocation"],
                CSE_CUSTOM_OPTION,
            )?,
            Some(_) => {
                return Err(usage(format!(
                    "The client side encryption type \"{}\" is not supported. You must specify \
                     either KMS or Custom",
                    text(args, "ProviderType").unwrap_or_default()
                )))
            }
        }
    }
    let children = |keys: &[&str], parent: &str| -> Result<(), CommandError> {
        let invalid: Vec<&str> = keys.iter().copied().filter(|key| has(key)).collect();
        if invalid.is_empty() {
            return Ok(());
        }
        // The CLI's sentence has the two spaces.
        Err(usage(format!(
            "{parent} is not specified. Thus,  following parameters are invalid: {}",
            join(&invalid)
        )))
    };
    if !has("Consistent") {
        children(&["RetryCount", "RetryPeriod"], CONSISTENT_OPTION)?;
    }
    if !client_side(args, "KMS") {
        children(&["KMSKeyId"], CSE_KMS_OPTION)?;
    }
    if !client_side(args, "CUSTOM") {
        children(
            &["CustomProviderClass", "CustomProviderLocation"],
            CSE_CUSTOM_OPTION,
        )?;
    }
    Ok(())
}

/// `_build_emrfs_properties`: the EMRFS properties in the CLI's order; an `Args` entry
/// `key=value` sets (or replaces, in place) a property.
fn properties(args: &Map<String, Value>) -> Vec<(String, String)> {
    let mut properties: Vec<(String, String)> = Vec::new();
    let mut set = |key: &str, value: String| match properties.iter_mut().find(|(k, _)| k == key) {
        Some(entry) => entry.1 = value,
        None => properties.push((key.to_owned(), value)),
    };
    if let Some(consistent) = text(args, "Consistent") {
        set("fs.s3.consistent", consistent.to_lowercase());
        if let Some(count) = text(args, "RetryCount") {
            set("fs.s3.consistent.retryCount", count);
        }
        if let Some(period) = text(args, "RetryPeriod") {
            set("fs.s3.consistent.retryPeriodSeconds", period);
        }
    }
    let server_side = upper(args, "Encryption").as_deref() == Some("SERVERSIDE");
    if args.contains_key("SSE") || server_side {
        let sse = text(args, "SSE").unwrap_or_else(|| "True".to_owned());
        set("fs.s3.enableServerSideEncryption", sse.to_lowercase());
    }
    if client_side(args, "KMS") {
        set("fs.s3.cse.enabled", "true".to_owned());
        set(
            "fs.s3.cse.encryptionMaterialsProvider",
            KMS_PROVIDER.to_owned(),
        );
        set(
            "fs.s3.cse.kms.keyId",
            text(args, "KMSKeyId").unwrap_or_default(),
        );
    }
    if client_side(args, "CUSTOM") {
        set("fs.s3.cse.enabled", "true".to_owned());
        set(
            "fs.s3.cse.encryptionMaterialsProvider",
            text(args, "CustomProviderClass").unwrap_or_default(),
        );
    }
    let extra: Vec<Value> = match args.get("Args") {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    };
    for arg in &extra {
        let arg = text_of(arg);
        let (key, value) = arg.split_once('=').unwrap_or((&arg, ""));
        set(key, value.to_owned());
    }
    properties
}

/// `build_emrfs_confiuration`: the `emrfs-site` classification of a release-label cluster.
pub(super) fn configuration(args: &Map<String, Value>) -> Result<Value, CommandError> {
    verify(args)?;
    let mut properties: Map<String, Value> = properties(args)
        .into_iter()
        .map(|(key, value)| (key, Value::String(value)))
        .collect();
    if client_side(args, "CUSTOM") {
        properties.insert(
            "fs.s3.cse.encryptionMaterialsProvider.uri".into(),
            Value::String(text(args, "CustomProviderLocation").unwrap_or_default()),
        );
    }
    Ok(serde_json::json!({"Classification": "emrfs-site", "Properties": properties}))
}

/// `build_bootstrap_action_configs`: on an AMI-version cluster, the custom provider's download
/// (client-side encryption with a custom provider) and the `configure-hadoop` action.
pub(super) fn bootstrap_actions(
    args: &Map<String, Value>,
    region: Option<&str>,
) -> Result<Vec<Value>, CommandError> {
    verify(args)?;
    let mut actions = Vec::new();
    if client_side(args, "CUSTOM") {
        actions.push(bootstrap_action(
            "S3 get",
            "file:/usr/share/aws/emr/scripts/s3get",
            vec![
                "-s".to_owned(),
                text(args, "CustomProviderLocation").unwrap_or_default(),
                "-d".to_owned(),
                CUSTOM_DESTINATION.to_owned(),
                "-f".to_owned(),
            ],
        ));
    }
    let mut setup = Vec::new();
    for (key, value) in properties(args) {
        setup.push("-e".to_owned());
        setup.push(if value.is_empty() {
            key
        } else {
            format!("{key}={value}")
        });
    }
    actions.push(bootstrap_action(
        "Setup EMRFS",
        &s3_link("/bootstrap-actions/configure-hadoop", region),
        setup,
    ));
    Ok(actions)
}

/// `emrutils.build_bootstrap_action` (arguments only when there are some).
pub(super) fn bootstrap_action(name: &str, path: &str, args: Vec<String>) -> Value {
    let mut script = Map::new();
    if !args.is_empty() {
        script.insert(
            "Args".into(),
            Value::Array(args.into_iter().map(Value::String).collect()),
        );
    }
    script.insert("Path".into(), Value::from(path));
    serde_json::json!({"Name": name, "ScriptBootstrapAction": script})
}
