//! CLI commands that stand for another operation with their own option names (`rds
//! add-option-to-option-group`) and flattened structures (`cloudsearch define-index-field`).

use super::*;

#[test]
fn option_group_commands_stand_for_modify_option_group_with_their_own_options() {
    let added = parsed(
        "rds add-option-to-option-group --option-group-name og-1 \
         --options OptionName=MEMCACHED,Port=11211 --apply-immediately",
    );
    // Access control and the audit see the real operation, a write.
    assert_eq!(
        (added.operation.as_str(), added.cli_operation.as_str()),
        ("ModifyOptionGroup", "add-option-to-option-group")
    );
    assert!(!crate::prompt::is_read_only("rds", &added.operation));
    assert_eq!(
        Value::Object(added.params.clone()),
        json!({
            "OptionGroupName": "og-1",
            "OptionsToInclude": [{"OptionName": "MEMCACHED", "Port": 11211}],
            "ApplyImmediately": true
        })
    );
    check(
        "rds remove-option-from-option-group --option-group-name og-1 --options MEMCACHED OEM",
        call(
            "rds ModifyOptionGroup",
            json!({"OptionGroupName": "og-1", "OptionsToRemove": ["MEMCACHED", "OEM"]}),
        ),
    );
    // The command line on cards uses each command's own `--options`, and reads back.
    for invocation in [
        added,
        parsed("rds remove-option-from-option-group --option-group-name og-1 --options OEM"),
    ] {
        let line = render_command_line(&invocation, Models::global());
        assert!(line.contains(" --options "), "{line}");
        assert_eq!(parsed(line.trim_start_matches("aws ")), invocation);
    }
    check_error(
        "rds add-option-to-option-group --option-group-name og-1 --options-to-remove OEM",
        "--options-to-remove is not available here: add-option-to-option-group only adds options; remove one with `rds remove-option-from-option-group --option-group-name NAME --options OPTION`",
    );
    check_error(
        "rds remove-option-from-option-group --option-group-name og-1 --options-to-include OptionName=OEM",
        "--options-to-include is not available here: remove-option-from-option-group only removes options; add one with `rds add-option-to-option-group --option-group-name NAME --options OptionName=OPTION`",
    );
    // Help, completion and forms list each command's own options.
    let model = Models::global().service("rds").unwrap();
    let operation = &model.operations["ModifyOptionGroup"];
    let names = |cli_operation: &str| {
        command_option_names(&model, operation, "rds", cli_operation)
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>()
    };
    let pair = |member: &str, option: &str| (member.to_owned(), option.to_owned());
    assert_eq!(
        names("add-option-to-option-group"),
        [
            pair("OptionGroupName", "option-group-name"),
            pair("OptionsToInclude", "options"),
            pair("ApplyImmediately", "apply-immediately")
        ]
    );
    assert_eq!(
        names("remove-option-from-option-group"),
        [
            pair("OptionGroupName", "option-group-name"),
            pair("OptionsToRemove", "options"),
            pair("ApplyImmediately", "apply-immediately")
        ]
    );
    // As in the CLI, there is no modify-option-group command.
    assert!(matches!(
        run("rds modify-option-group --option-group-name og-1"),
        Err(CommandError::UnknownOperation { .. })
    ));
}

/// moto has no CloudSearch, so these requests are checked here only (no parity case).
#[test]
fn cloudsearch_flattened_options_build_the_expression_and_the_index_field() {
    check(
        "cloudsearch define-expression --domain-name movies --name popular \
         --expression '(0.3*popularity)+(0.7*_score)'",
        call(
            "cloudsearch DefineExpression",
            json!({"DomainName": "movies", "Expression": {
                "ExpressionName": "popular", "ExpressionValue": "(0.3*popularity)+(0.7*_score)"
            }}),
        ),
    );
    check(
        "cloudsearch define-index-field --domain-name movies --facet-enabled false \
         --default-value 10 --type int --name year --sort-enabled yes --source-field released",
        call(
            "cloudsearch DefineIndexField",
            json!({"DomainName": "movies", "IndexField": {
                "IndexFieldName": "year",
                "IndexFieldType": "int",
                "IntOptions": {
                    "DefaultValue": 10, "FacetEnabled": false, "SortEnabled": true,
                    "SourceField": "released"
                }
            }}),
        ),
    );
    check(
        "cloudsearch define-index-field --domain-name movies --name rating --type double-array \
         --default-value 2.5",
        call(
            "cloudsearch DefineIndexField",
            json!({"DomainName": "movies", "IndexField": {
                "IndexFieldName": "rating", "IndexFieldType": "double-array",
                "DoubleArrayOptions": {"DefaultValue": 2.5}
            }}),
        ),
    );
    check(
        "cloudsearch define-index-field --domain-name movies --name where --type latlon \
         --default-value 0,0",
        call(
            "cloudsearch DefineIndexField",
            json!({"DomainName": "movies", "IndexField": {
                "IndexFieldName": "where", "IndexFieldType": "latlon",
                "LatLonOptions": {"DefaultValue": "0,0"}
            }}),
        ),
    );
    check(
        "cloudsearch define-index-field --domain-name movies --name title --type text \
         --highlight-enabled true --analysis-scheme _en_default_",
        call(
            "cloudsearch DefineIndexField",
            json!({"DomainName": "movies", "IndexField": {
                "IndexFieldName": "title", "IndexFieldType": "text",
                "TextOptions": {"HighlightEnabled": true, "AnalysisScheme": "_en_default_"}
            }}),
        ),
    );
    let cases = [
        (
            "cloudsearch define-expression --domain-name movies --name popular",
            "cloudsearch define-expression is missing the required option --expression.",
        ),
        (
            "cloudsearch define-index-field --domain-name movies --default-value 1",
            "cloudsearch define-index-field is missing the required options --name and --type.",
        ),
        (
            "cloudsearch define-index-field --domain-name movies --index-field IndexFieldName=a,IndexFieldType=int",
            "--index-field is not available here: the AWS CLI's define-index-field takes the field flattened instead: --name, --type and the type's options (--default-value, --facet-enabled, --search-enabled, --return-enabled, --sort-enabled, --source-field, --highlight-enabled, --analysis-scheme)",
        ),
        (
            "cloudsearch define-index-field --domain-name movies --name a --type integer",
            "Invalid value 'integer' for --type. Allowed values: int, double, literal, text, date, latlon, int-array, double-array, literal-array, text-array, date-array.",
        ),
        (
            "cloudsearch define-index-field --domain-name movies --name a --type int --default-value ten",
            "Invalid value for --default-value: 'ten' is not a number. Expected a whole number, like 10 for a field of --type int.",
        ),
        (
            "cloudsearch define-index-field --domain-name movies --name a --type int --highlight-enabled true",
            "Invalid value for --highlight-enabled: a field of --type int has no HighlightEnabled (IntOptions has DefaultValue, SourceField, FacetEnabled, SearchEnabled, ReturnEnabled, SortEnabled). Expected only the options of the field's type.",
        ),
    ];
    for (input, expected) in cases {
        check_error(input, expected);
    }
    // The command line on cards gives the flattened options back, and reads back the same.
    for input in [
        "cloudsearch define-expression --domain-name movies --name popular --expression 'a + b'",
        "cloudsearch define-index-field --domain-name movies --name year --type int \
         --default-value 10 --facet-enabled false --source-field released",
        "cloudsearch define-index-field --domain-name movies --name r --type double --default-value 2.5",
    ] {
        let invocation = parsed(input);
        let line = render_command_line(&invocation, Models::global());
        assert!(!line.contains("--index-field"), "{line}");
        assert_eq!(parsed(line.trim_start_matches("aws ")), invocation, "{line}");
    }
    // The whole structure may still come from --cli-input-json.
    check(
        r#"cloudsearch define-expression --cli-input-json '{"DomainName": "movies", "Expression": {"ExpressionName": "a", "ExpressionValue": "1"}}'"#,
        call(
            "cloudsearch DefineExpression",
            json!({"DomainName": "movies", "Expression": {"ExpressionName": "a", "ExpressionValue": "1"}}),
        ),
    );
}
