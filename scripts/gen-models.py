#!/usr/bin/env python3
"""Regenerate data/models/ from a pinned botocore and the AWS CLI's own command table.

Why the AWS CLI is consulted: its command, operation and option names are botocore's
`xform_name` conversion plus a set of renames and removals (configservice, deploy, hidden
pagination options, argument renames). Asking the CLI itself keeps our names identical to
the ones users type.

Run: python3 scripts/gen-models.py   (creates a throwaway venv with the pinned packages)
Output: data/models/<cli-name>.json.gz per service (its model, paginators, waiters and CLI names), data/models/index.tsv, data/models/endpoints.json.gz
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

AWSCLI_VERSION = "1.45.11"  # carries botocore 1.43.11
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "data", "models")

# Keys that only carry prose; the engine never needs them.
DROP_KEYS = {"documentation", "documentationUrl", "examples", "deprecatedMessage", "xmlNamespace_doc"}


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in DROP_KEYS}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def generate():
    import awscli
    import botocore
    from awscli.clidriver import ServiceCommand, create_clidriver
    from awscli.arguments import BooleanArgument
    from botocore import xform_name

    print(f"awscli {awscli.__version__}, botocore {botocore.__version__}")
    driver = create_clidriver()
    session = driver.session
    loader = session.get_component("data_loader")
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".json.gz") or name == "index.tsv":
            os.remove(os.path.join(OUT, name))

    index_rows = []
    table = driver._get_command_table()
    for cli_name in sorted(table):
        command = table[cli_name]
        if not isinstance(command, ServiceCommand):
            continue
        service_name = command._get_service_model().service_name
        api_version = command._get_service_model().api_version
        raw = loader.load_service_model(service_name, "service-2", api_version)
        try:
            paginators = loader.load_service_model(service_name, "paginators-1", api_version).get("pagination", {})
        except Exception:
            paginators = {}
        # The waiters of `aws <service> wait <waiter>` (awscli customizations/waiters.py names
        # each `xform_name(name, "-")`; its options are those of the waiter's operation).
        try:
            waiters = loader.load_service_model(service_name, "waiters-2", api_version).get("waiters", {})
        except Exception:
            waiters = {}
        cli_operations = {}
        cli_args = {}
        cli_hidden = {}
        for op_cli_name, op in command._get_command_table().items():
            model = getattr(op, "_operation_model", None)
            if model is None:
                continue  # a CLI customisation without a model (e.g. `wait`)
            cli_operations[op_cli_name] = model.name
            renamed = {}
            hidden = []
            members = model.input_shape.members if model.input_shape is not None else {}
            for arg_name, arg in op.arg_table.items():
                member = getattr(arg, "_serialized_name", None)
                if member is None or member not in members:
                    continue
                if isinstance(arg, BooleanArgument) and getattr(arg, "_action", None) == "store_false":
                    continue
                # The negative twin of a CLI boolean pair (`--no-reboot` beside `--reboot`).
                if arg_name.startswith("no-") and arg_name[3:] in op.arg_table:
                    continue
                if arg_name != xform_name(member, "-"):
                    renamed[member] = arg_name
                if getattr(arg, "_UNDOCUMENTED", False):
                    hidden.append(member)
            if renamed:
                cli_args[model.name] = renamed
            if hidden:
                cli_hidden[model.name] = sorted(hidden)
        doc = strip(raw)
        doc["paginators"] = paginators
        if waiters:
            doc["waiters"] = strip(waiters)
        doc["cli"] = {
            "name": cli_name,
            "operations": dict(sorted(cli_operations.items())),
            "args": cli_args,
            "hidden": cli_hidden,
        }
        file_name = f"{cli_name}.json.gz"
        with gzip.GzipFile(os.path.join(OUT, file_name), "wb", compresslevel=9, mtime=0) as f:
            f.write(json.dumps(doc, separators=(",", ":")).encode())
        meta = raw["metadata"]
        protocols = meta.get("protocols") or [meta["protocol"]]
        index_rows.append("\t".join([cli_name, service_name, api_version, ",".join(protocols)]))

    with open(os.path.join(OUT, "index.tsv"), "w") as f:
        f.write("# cli-name\tbotocore-service\tapi-version\tprotocols (generated by scripts/gen-models.py)\n")
        f.write("\n".join(index_rows) + "\n")
    endpoints = loader.load_data("endpoints")
    with gzip.GzipFile(os.path.join(OUT, "endpoints.json.gz"), "wb", compresslevel=9, mtime=0) as f:
        f.write(json.dumps(endpoints, separators=(",", ":")).encode())
    print(f"{len(index_rows)} services written to {OUT}")


def main():
    if os.environ.get("GEN_MODELS_INNER") == "1":
        generate()
        return
    with tempfile.TemporaryDirectory() as venv:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        pip = os.path.join(venv, "bin", "pip")
        subprocess.run([pip, "install", "-q", f"awscli=={AWSCLI_VERSION}"], check=True)
        env = dict(os.environ, GEN_MODELS_INNER="1")
        subprocess.run([os.path.join(venv, "bin", "python"), __file__], check=True, env=env)


if __name__ == "__main__":
    main()
