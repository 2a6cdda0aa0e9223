//! Turns `data/models/index.tsv` into a static table of embedded, still-compressed service
//! models, so that start-up parses nothing and each model is inflated on first use.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

fn main() {
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let models_dir = Path::new(&manifest_dir).join("data").join("models");
    let index_path = models_dir.join("index.tsv");
    println!("cargo:rerun-if-changed={}", index_path.display());
    let index = fs::read_to_string(&index_path).expect("data/models/index.tsv is committed");

    let mut table = String::from("&[\n");
    for line in index
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [cli_name, service_name, api_version, protocols] = fields[..] else {
            panic!("malformed line in index.tsv: {line}");
        };
        let file = models_dir.join(format!("{cli_name}.json.gz"));
        println!("cargo:rerun-if-changed={}", file.display());
        writeln!(
            table,
            "    EmbeddedService {{ cli_name: {cli_name:?}, service_name: {service_name:?}, api_version: {api_version:?}, protocols: {protocols:?}, compressed: include_bytes!({file:?}) }},",
            file = file.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    table.push(']');
    let out =
        Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_models.rs");
    fs::write(out, table).expect("OUT_DIR is writable");
}
