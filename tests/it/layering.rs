//! ARCHITECTURE.md's dependency direction and its "only X does Y" rules, read off the source:
//! each module may import only the modules listed for it here (the table is a DAG, checked),
//! actix-web appears only in `http/`, and AWS SDK clients only in `aws/` and in the two
//! `policy/` modules that get credentials. Test files are not held to the table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each module may import (`crate::<module>`). Modules not listed (`conversation`, `exec`,
/// `console`, `http`, `main`) sit on top and may use everything.
const ALLOWED: &[(&str, &[&str])] = &[
    ("common", &[]),
    ("config", &[]),
    ("models", &[]),
    ("telemetry", &[]),
    ("metrics", &[]),
    ("output", &[]),
    ("notify", &["common"]),
    ("command", &["config", "models", "output"]),
    ("prompt", &["command", "models", "output"]),
    ("audit", &["command", "models"]),
    ("store", &["common", "metrics"]),
    ("auth", &["common", "config"]),
    (
        "policy",
        &[
            "audit", "command", "common", "config", "models", "notify", "store",
        ],
    ),
    (
        "aws",
        &[
            "audit", "command", "common", "metrics", "models", "output", "policy",
        ],
    ),
    (
        "render",
        &["command", "notify", "output", "prompt", "teams"],
    ),
    ("teams", &["auth", "common", "config", "metrics", "store"]),
    ("bot", &["common", "render", "store", "teams"]),
];

fn source_files(directory: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name != "tests") {
                source_files(&path, files);
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let test_file = name == "tests" || name.ends_with("_tests") || name == "test_fixtures";
            if !test_file {
                files.push(path);
            }
        }
    }
}

/// The code of a file without comments and without its `#[cfg(test)]` module at the end.
fn code(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests {")
        .next()
        .unwrap_or(text);
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every non-test source file: its path relative to `src/` (with `/`) and its code.
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&root, &mut files);
    assert!(files.len() > 100, "the source tree was found");
    files
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).unwrap();
            let relative = relative.to_string_lossy().replace('\\', "/");
            (relative, code(&std::fs::read_to_string(path).unwrap()))
        })
        .collect()
}

/// The top module a file belongs to: `policy/config/mod.rs` → `policy`, `exec.rs` → `exec`.
fn module_of(relative: &str) -> &str {
    let first = relative.split('/').next().unwrap_or(relative);
    first.strip_suffix(".rs").unwrap_or(first)
}

fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

#[test]
fn modules_import_only_what_architecture_md_allows() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut violations = Vec::new();
    for (relative, code) in sources() {
        let module = module_of(&relative);
        let Some(may_use) = allowed.get(module) else {
            continue;
        };
        for used in crate_imports(&code) {
            if used != module && !may_use.contains(&used.as_str()) {
                violations.push(format!("src/{relative} uses crate::{used}"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports against the dependency direction:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_allowed_dependencies_have_no_cycle() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    // Repeatedly remove modules whose dependencies are all removed: a cycle leaves some behind.
    let mut left: BTreeSet<&str> = allowed.keys().copied().collect();
    loop {
        let ready: Vec<&str> = left
            .iter()
            .copied()
            .filter(|module| allowed[module].iter().all(|dep| !left.contains(dep)))
            .collect();
        if ready.is_empty() {
            break;
        }
        for module in ready {
            left.remove(module);
        }
    }
    assert!(
        left.is_empty(),
        "these modules depend on each other in a cycle: {left:?}"
    );
}

#[test]
fn only_http_knows_actix_and_only_aws_and_policy_credentials_use_aws_sdk_clients() {
    let credentials = ["policy/local.rs", "policy/assume_role.rs"];
    let mut violations = Vec::new();
    for (relative, code) in sources() {
        if code.contains("actix_web") && !relative.starts_with("http/") && relative != "main.rs" {
            violations.push(format!("{relative} uses actix_web"));
        }
        let sdk = code.contains("aws_sdk_") || code.contains("aws_config");
        if sdk && !relative.starts_with("aws/") && !credentials.contains(&relative.as_str()) {
            violations.push(format!("{relative} uses an AWS SDK client"));
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_pure_layers_do_no_io() {
    // Reading the config file is the one IO of `policy/config/` (start-up, reload, check-config).
    let pure = [
        "command/",
        "models/",
        "output/",
        "prompt/",
        "render/",
        "bot/text.rs",
        "policy/config/",
        "policy/guardrail.rs",
        "policy/roles.rs",
    ];
    let reads_the_file = ["policy/config/reload.rs", "policy/config/check.rs"];
    let io = [
        "reqwest",
        "tokio::net",
        "tokio::fs",
        "std::fs",
        "std::net",
        "std::process",
    ];
    let mut violations = Vec::new();
    for (relative, code) in sources() {
        let is_pure = pure.iter().any(|prefix| relative.starts_with(prefix));
        if !is_pure || reads_the_file.contains(&relative.as_str()) {
            continue;
        }
        for what in io.iter().filter(|what| code.contains(**what)) {
            violations.push(format!("{relative} uses {what}"));
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
