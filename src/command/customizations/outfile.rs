//! The positional `outfile` of operations whose output is a stream (awscli
//! `streamingoutputarg.py`): every operation whose output payload is a blob (`lambda invoke`,
//! `apigateway get-export`, `polly synthesize-speech`, ...) takes a file name where the CLI
//! writes that member, and prints the rest of the response.

use crate::models::{Operation, ServiceModel, ShapeType};

/// The output member the CLI streams to the outfile, when the operation has one (botocore's
/// `OperationModel.has_streaming_output`: the output's payload member is a blob).
pub(in crate::command) fn streaming_payload(
    model: &ServiceModel,
    operation: &Operation,
) -> Option<String> {
    let output = model.output_shape(operation)?;
    let payload = output.payload.as_ref()?;
    let member = output.members.get(payload)?;
    let is_blob = model
        .shape(&member.shape)
        .is_some_and(|shape| shape.shape_type == ShapeType::Blob);
    is_blob.then(|| payload.clone())
}
