//! Help cards: the general help, a service's operations (those allowed from chat), an
//! operation's parameters from its model, and the s3 aliases.

use super::Inner;
use crate::bot::TurnContext;
use crate::command::{self, HelpRequest};
use crate::models::ShapeType;
use crate::prompt;
use crate::render::{self, Card};

impl Inner {
    /// The card that answers a help request; an unknown service or operation gets the
    /// general help.
    pub(super) fn help_card(&self, turn: &TurnContext, request: HelpRequest) -> Card {
        let mention = format!("@{}", turn.bot_name().unwrap_or("the bot"));
        match request {
            HelpRequest::General => render::help(turn.bot_name()),
            HelpRequest::Service { service } => {
                let Ok(model) = self.models.service(&service) else {
                    return render::help(turn.bot_name());
                };
                let operations = model
                    .cli
                    .operations
                    .iter()
                    .filter(|(_, key)| command::is_never_allowed(&service, key).is_none())
                    .map(|(cli, _)| cli.clone())
                    .collect();
                render::service_help(
                    &render::ServiceHelp {
                        service,
                        full_name: model.metadata.service_full_name.clone(),
                        operations,
                    },
                    &mention,
                )
            }
            HelpRequest::Operation {
                service,
                operation,
                cli_operation,
            } => self
                .operation_help_card(service, &operation, cli_operation)
                .unwrap_or_else(|| render::help(turn.bot_name())),
            HelpRequest::S3Alias { command } => render::service_help(
                &render::ServiceHelp {
                    service: "s3".to_owned(),
                    full_name: format!("The AWS CLI's s3 {command} alias"),
                    operations: vec![
                        "ls [s3://bucket[/prefix]]".to_owned(),
                        "cp s3://bucket/key s3://other-bucket/key".to_owned(),
                    ],
                },
                &mention,
            ),
        }
    }

    /// An operation's help: its visible parameters, required ones first; `None` when the
    /// models do not know it.
    fn operation_help_card(
        &self,
        service: String,
        operation: &str,
        cli_operation: String,
    ) -> Option<Card> {
        let model = self.models.service(&service).ok()?;
        let op = model.operations.get(operation)?;
        let hidden = model.hidden_members(op).to_vec();
        let mut parameters = Vec::new();
        let options = command::command_option_names(&model, op, &service, &cli_operation);
        if let (Some(input), Some(options)) = (model.input_shape(op), options) {
            for (member, member_ref) in &input.members {
                // Hidden members, and those the command does not offer (`emr
                // modify-cluster-attributes` offers none of its operation's).
                let Some(option) = options.get(member) else {
                    continue;
                };
                if hidden.contains(member) {
                    continue;
                }
                let shape = model.shape(&member_ref.shape);
                let type_name = shape
                    .map(|s| type_name(s.shape_type))
                    .unwrap_or("string")
                    .to_owned();
                parameters.push(render::ParameterHelp {
                    option: option.clone(),
                    type_name,
                    required: input.is_required(member),
                    allowed: shape.map(|s| s.enum_values.clone()).unwrap_or_default(),
                });
            }
        }
        // The AWS CLI's own options of the command (`put-metric-data --metric-name`).
        for custom in command::custom_options_help(&service, operation, &cli_operation) {
            parameters.push(render::ParameterHelp {
                option: custom.name.to_owned(),
                type_name: custom.takes.to_owned(),
                required: custom.required,
                allowed: Vec::new(),
            });
        }
        parameters.sort_by_key(|p| !p.required);
        Some(render::operation_help(&render::OperationHelp {
            read_only: prompt::is_read_only(&service, operation),
            paginated: model.paginator(op).is_some(),
            service,
            operation: cli_operation,
            parameters,
        }))
    }
}

/// The type name help shows for a parameter of `shape_type`.
fn type_name(shape_type: ShapeType) -> &'static str {
    match shape_type {
        ShapeType::Structure => "structure",
        ShapeType::List => "list",
        ShapeType::Map => "map",
        ShapeType::String => "string",
        ShapeType::Integer => "integer",
        ShapeType::Long => "long",
        ShapeType::Float => "float",
        ShapeType::Double => "double",
        ShapeType::Boolean => "boolean",
        ShapeType::Timestamp => "timestamp",
        ShapeType::Blob => "blob",
        ShapeType::BigDecimal => "decimal",
        ShapeType::BigInteger => "integer",
    }
}
