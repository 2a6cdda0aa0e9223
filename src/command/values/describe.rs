//! Says what a value of a model shape looks like, with an example (shorthand where the CLI
//! offers it), for error messages, forms and help cards.

use crate::models::{ServiceModel, Shape, ShapeType};

/// What a value of the shape looks like, with an example (shorthand where the CLI offers it).
pub(crate) fn describe_shape(model: &ServiceModel, shape_name: &str) -> String {
    let Some(shape) = model.shape(shape_name) else {
        return "a value".to_owned();
    };
    if shape.document {
        return "a JSON value".to_owned();
    }
    match shape.shape_type {
        ShapeType::Structure => match shorthand_example(model, shape_name, &mut Vec::new()) {
            Some(example) => format!("a structure, as shorthand like {example} or as JSON"),
            None => "a structure, as JSON".to_owned(),
        },
        ShapeType::Map => match shorthand_example(model, shape_name, &mut Vec::new()) {
            Some(example) => format!("a map, as shorthand like {example} or as JSON"),
            None => "a map, as JSON".to_owned(),
        },
        ShapeType::List => {
            let Some(element) = shape.member.as_ref().and_then(|m| model.shape(&m.shape)) else {
                return "a list".to_owned();
            };
            let element_name = &shape.member.as_ref().map(|m| m.shape.clone()).unwrap_or_default();
            match element.shape_type {
                ShapeType::Structure | ShapeType::Map | ShapeType::List => {
                    match shorthand_example(model, element_name, &mut Vec::new()) {
                        Some(example) => format!(
                            "a list, each item as shorthand separated by spaces like {example} {example}, or a JSON list"
                        ),
                        None => "a JSON list".to_owned(),
                    }
                }
                _ => format!(
                    "a list of {}, separated by spaces",
                    plural(&describe_shape(model, element_name))
                ),
            }
        }
        ShapeType::String if !shape.enum_values.is_empty() => {
            format!("one of {}", shape.enum_values.join(", "))
        }
        ShapeType::String => "a string".to_owned(),
        ShapeType::Integer | ShapeType::Long => "an integer".to_owned(),
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal | ShapeType::BigInteger => {
            "a number".to_owned()
        }
        ShapeType::Boolean => "true or false".to_owned(),
        ShapeType::Timestamp => {
            "a timestamp, ISO 8601 like 2024-01-31T12:00:00Z or seconds since the epoch like 1706702400"
                .to_owned()
        }
        ShapeType::Blob => "a string (binary data)".to_owned(),
    }
}

fn plural(description: &str) -> String {
    match description {
        "a string" => "strings".to_owned(),
        "an integer" => "integers".to_owned(),
        "a number" => "numbers".to_owned(),
        other => format!("values ({other})"),
    }
}

/// A shorthand example for a structure or map (`Name=string,Value=string`), or `None` when
/// the shape is too deep or recursive for shorthand to be practical.
pub(crate) fn shorthand_example(
    model: &ServiceModel,
    shape_name: &str,
    stack: &mut Vec<String>,
) -> Option<String> {
    let shape = model.shape(shape_name)?;
    if stack.len() >= 3 || stack.iter().any(|s| s == shape_name) || shape.document {
        return None;
    }
    stack.push(shape_name.to_owned());
    let example = match shape.shape_type {
        ShapeType::Structure => {
            let mut parts = Vec::new();
            for (name, member) in &shape.members {
                parts.push(format!(
                    "{name}={}",
                    value_example(model, &member.shape, stack)?
                ));
            }
            Some(parts.join(","))
        }
        ShapeType::Map => {
            let value = value_example(model, &shape.value.as_ref()?.shape, stack)?;
            Some(format!("KeyName1={value},KeyName2={value}"))
        }
        _ => None,
    };
    stack.pop();
    example
}

fn value_example(
    model: &ServiceModel,
    shape_name: &str,
    stack: &mut Vec<String>,
) -> Option<String> {
    let shape = model.shape(shape_name)?;
    match shape.shape_type {
        ShapeType::Structure | ShapeType::Map => Some(format!(
            "{{{}}}",
            shorthand_example(model, shape_name, stack)?
        )),
        ShapeType::List => {
            let element = &shape.member.as_ref()?.shape;
            let element_shape = model.shape(element)?;
            match element_shape.shape_type {
                ShapeType::Structure | ShapeType::Map => {
                    let item = shorthand_example(model, element, stack)?;
                    Some(format!("[{{{item}}},{{{item}}}]"))
                }
                ShapeType::List => None,
                _ => {
                    let word = scalar_word(element_shape);
                    Some(format!("{word},{word}"))
                }
            }
        }
        _ => Some(scalar_word(shape).to_owned()),
    }
}

fn scalar_word(shape: &Shape) -> &'static str {
    match shape.shape_type {
        ShapeType::Integer | ShapeType::Long => "integer",
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal | ShapeType::BigInteger => {
            "double"
        }
        ShapeType::Boolean => "boolean",
        ShapeType::Timestamp => "timestamp",
        ShapeType::Blob => "blob",
        _ => "string",
    }
}
