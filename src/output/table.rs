//! `--output table`: the AWS CLI's boxed tables (awscli `formatter.py` `TableFormatter` and
//! `table.py` `MultiTable`), without colour, as the CLI prints them when stdout is not a
//! terminal. Column widths are scaled to the widest section with Python's rounding, and a
//! table wider than the terminal (80 columns when unknown) has its single-row sections turned
//! vertical, exactly as the CLI does.

use serde_json::Value;

use super::east_asian_width::WIDE_RANGES;
use super::python::py_str;
use super::OutputError;

/// Display width the way the CLI measures it: East Asian Wide, Fullwidth and Ambiguous
/// characters count two columns, everything else one.
fn text_length(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let cp = c as u32;
            let wide = WIDE_RANGES
                .binary_search_by(|&(start, end)| {
                    if end < cp {
                        std::cmp::Ordering::Less
                    } else if start > cp {
                        std::cmp::Ordering::Greater
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
                .is_ok();
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

#[derive(Debug, Default, Clone)]
struct Section {
    /// `None` where Python passes a `None` title (a list nested in a list): nothing is drawn,
    /// but `str(None)` still counts four columns of width.
    title: Option<String>,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent_level: usize,
    num_cols: Option<usize>,
    max_widths: Vec<usize>,
}

impl Section {
    fn calculate_column_widths(&self, padding: usize, max_width: Option<usize>) -> Vec<usize> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + padding).collect();
        let Some(max_width) = max_width else {
            return unscaled;
        };
        if unscaled.is_empty() {
            return unscaled;
        }
        let scale_factor = max_width as f64 / unscaled.iter().sum::<usize>() as f64;
        // Python 3's round() rounds halves to even.
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|&w| (scale_factor * w as f64).round_ties_even() as i64)
            .collect();
        let mut off_by: i64 = scaled.iter().sum::<i64>() - max_width as i64;
        while off_by != 0 {
            let order: Vec<usize> = if off_by < 0 {
                (0..scaled.len()).rev().collect()
            } else {
                (0..scaled.len()).collect()
            };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self, padding: usize, with_border: bool, outer_padding: usize) -> usize {
        let mut total: usize = self
            .calculate_column_widths(0, None)
            .iter()
            .map(|w| w + padding)
            .sum();
        if with_border {
            total += 2;
        }
        total += outer_padding * 2;
        let title_width = self.title.as_deref().map_or(4, text_length);
        (title_width + 2 + outer_padding * 2).max(total)
    }

    fn add_header(&mut self, headers: Vec<String>) {
        self.update_max_widths(&headers);
        if self.num_cols.is_none() {
            self.num_cols = Some(headers.len());
        }
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) -> Result<(), OutputError> {
        let num_cols = *self.num_cols.get_or_insert(row.len());
        if row.len() != num_cols {
            return Err(OutputError::Table(format!(
                "Row should have {num_cols} elements, instead it has {}",
                row.len()
            )));
        }
        self.update_max_widths(&row);
        self.rows.push(row);
        Ok(())
    }

    fn update_max_widths(&mut self, row: &[String]) {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|c| text_length(c)).collect();
        } else {
            for (i, cell) in row.iter().enumerate() {
                // Python would raise IndexError on a longer row; such rows are refused earlier.
                if let Some(width) = self.max_widths.get_mut(i) {
                    *width = (*width).max(text_length(cell));
                }
            }
        }
    }
}

/// The sections being built, like `MultiTable` with `initial_section=False`.
struct MultiTable {
    sections: Vec<Section>,
    terminal_width: usize,
}

impl MultiTable {
    fn current(&mut self) -> Result<&mut Section, OutputError> {
        self.sections.last_mut().ok_or_else(|| {
            OutputError::Table("'NoneType' object has no attribute 'add_row'".to_owned())
        })
    }

    fn new_section(&mut self, title: Option<&str>, indent_level: usize) {
        self.sections.push(Section {
            title: title.map(str::to_owned),
            indent_level,
            ..Section::default()
        });
    }

    fn calculate_max_width(&self) -> usize {
        self.sections
            .iter()
            .map(|s| s.total_width(4, true, s.indent_level))
            .max()
            .unwrap_or(0)
    }

    fn render(mut self) -> String {
        let mut max_width = self.calculate_max_width();
        if max_width > self.terminal_width {
            convert_to_vertical_table(&mut self.sections);
            max_width = self.calculate_max_width();
        }
        let mut out = String::new();
        out.push_str(&"-".repeat(max_width));
        out.push('\n');
        for section in &self.sections {
            render_section(section, max_width, &mut out);
        }
        out
    }
}

fn convert_to_vertical_table(sections: &mut [Section]) {
    for section in sections.iter_mut() {
        if section.rows.len() == 1 && !section.headers.is_empty() {
            let mut vertical = Section {
                title: section.title.clone(),
                indent_level: section.indent_level,
                ..Section::default()
            };
            let row = section.rows[0].clone();
            for (header, element) in section.headers.iter().zip(row) {
                // Two columns every time: cannot fail.
                let _ = vertical.add_row(vec![header.clone(), element]);
            }
            *section = vertical;
        }
    }
}

fn center_text(text: &str, length: usize, left_edge: &str, right_edge: &str) -> String {
    let text_len = text_length(text) as i64;
    let length = length as i64;
    // May be negative; Python's `' ' * n` is then empty but the arithmetic keeps the sign.
    let char_start = length.div_euclid(2) - text_len.div_euclid(2) - 1;
    let mut out = String::new();
    out.push_str(left_edge);
    out.push_str(&" ".repeat(char_start.max(0) as usize));
    out.push_str(text);
    let so_far = text_length(left_edge) as i64 + char_start + text_len;
    let right_spaces = length - text_length(right_edge) as i64 - so_far;
    out.push_str(&" ".repeat(right_spaces.max(0) as usize));
    out.push_str(right_edge);
    out
}

fn align_left(text: &str, length: usize, left_edge: &str, right_edge: &str) -> String {
    let text_len = text_length(text);
    let computed = text_len + 2 + text_length(left_edge) + text_length(right_edge);
    let padding = if length >= computed { 2 } else { 0 };
    let mut out = String::new();
    out.push_str(left_edge);
    out.push_str(&" ".repeat(padding));
    out.push_str(text);
    let so_far = left_edge.len() + padding + text_len;
    let fill = length as i64 - so_far as i64 - right_edge.len() as i64;
    out.push_str(&" ".repeat(fill.max(0) as usize));
    out.push_str(right_edge);
    out
}

/// Writes one line of a section, framed by its indentation bars (`IndentedStream`).
fn write_line(line: &str, indent_level: usize, out: &mut String) {
    let bars = "|".repeat(indent_level);
    out.push_str(&bars);
    out.push_str(line);
    out.push_str(&bars);
    out.push('\n');
}

fn line_break(widths: &[usize]) -> String {
    let mut line = String::new();
    for (i, width) in widths.iter().enumerate() {
        if i == 0 {
            line.push('+');
            line.push_str(&"-".repeat(width.saturating_sub(2)));
            line.push('+');
        } else {
            line.push_str(&"-".repeat(width.saturating_sub(1)));
            line.push('+');
        }
    }
    line
}

fn render_section(section: &Section, max_width: usize, out: &mut String) {
    let indent = section.indent_level;
    let max_width = max_width.saturating_sub(indent * 2);
    if let Some(title) = section.title.as_deref().filter(|t| !t.is_empty()) {
        write_line(&center_text(title, max_width, "|", "|"), indent, out);
        if section.headers.is_empty() && section.rows.is_empty() {
            write_line(
                &format!("+{}+", "-".repeat(max_width.saturating_sub(2))),
                indent,
                out,
            );
        }
    }
    if !section.headers.is_empty() {
        let widths = section.calculate_column_widths(4, Some(max_width));
        let mut current = String::new();
        for (i, (width, header)) in widths.iter().zip(&section.headers).enumerate() {
            let left = if i == 0 { "|" } else { "" };
            current.push_str(&center_text(header, *width, left, "|"));
        }
        write_line(&line_break(&widths), indent, out);
        write_line(&current, indent, out);
    }
    if !section.rows.is_empty() {
        let widths = section.calculate_column_widths(4, Some(max_width));
        if widths.is_empty() {
            return;
        }
        write_line(&line_break(&widths), indent, out);
        for row in &section.rows {
            let mut current = String::new();
            for (i, (width, cell)) in widths.iter().zip(row).enumerate() {
                let left = if i == 0 { "|" } else { "" };
                current.push_str(&align_left(cell, *width, left, "|"));
            }
            write_line(&current, indent, out);
        }
        write_line(&line_break(&widths), indent, out);
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

/// Python truthiness, which decides whether the CLI prints a table at all.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

struct Builder {
    table: MultiTable,
}

impl Builder {
    fn build_table(
        &mut self,
        title: Option<&str>,
        current: &Value,
        indent_level: usize,
    ) -> Result<bool, OutputError> {
        if !is_truthy(current) {
            return Ok(false);
        }
        if title.is_some() {
            self.table.new_section(title, indent_level);
        }
        match current {
            Value::Array(items) => {
                if items[0].is_object() {
                    self.build_sub_table_from_list(items, indent_level, title)?;
                } else {
                    for item in items {
                        match item {
                            Value::Array(inner) if inner.iter().all(is_scalar) => {
                                self.table
                                    .current()?
                                    .add_row(inner.iter().map(py_str).collect())?;
                            }
                            scalar if is_scalar(scalar) => {
                                self.table.current()?.add_row(vec![py_str(scalar)])?;
                            }
                            // Python's `all(... for el in item)` iterates a dict's keys, all
                            // strings, so the dict becomes a row of its keys.
                            Value::Object(map) => {
                                self.table
                                    .current()?
                                    .add_row(map.keys().cloned().collect())?;
                            }
                            other => {
                                self.build_table(None, other, 0)?;
                            }
                        }
                    }
                }
            }
            Value::Object(_) => self.build_sub_table_from_dict(current, indent_level)?,
            _ => {}
        }
        Ok(true)
    }

    fn build_sub_table_from_dict(
        &mut self,
        current: &Value,
        indent_level: usize,
    ) -> Result<(), OutputError> {
        let Value::Object(map) = current else {
            return Ok(());
        };
        let (headers, more) = group_scalar_keys(map);
        if headers.len() == 1 {
            let key = &headers[0];
            self.table
                .current()?
                .add_row(vec![key.clone(), py_str(&map[key.as_str()])])?;
        } else if !headers.is_empty() {
            let row = headers.iter().map(|k| py_str(&map[k.as_str()])).collect();
            let section = self.table.current()?;
            section.add_header(headers);
            section.add_row(row)?;
        }
        for key in more {
            self.build_table(Some(&key), &map[key.as_str()], indent_level + 1)?;
        }
        Ok(())
    }

    fn build_sub_table_from_list(
        &mut self,
        items: &[Value],
        indent_level: usize,
        title: Option<&str>,
    ) -> Result<(), OutputError> {
        let mut headers: Vec<String> = Vec::new();
        let mut more: Vec<String> = Vec::new();
        for item in items {
            // Python would fail on a non-dict element here (`for element in current`).
            let Value::Object(map) = item else {
                return Err(OutputError::Table(
                    "a list mixes objects and other values".to_owned(),
                ));
            };
            let (h, m) = group_scalar_keys(map);
            headers.extend(h);
            more.extend(m);
        }
        headers.sort();
        headers.dedup();
        more.sort();
        more.dedup();
        self.table.current()?.add_header(headers.clone());
        for (i, element) in items.iter().enumerate() {
            if i > 0 && !more.is_empty() {
                self.table.new_section(title, indent_level);
                self.table.current()?.add_header(headers.clone());
            }
            let map = element.as_object().expect("checked above");
            let row = headers
                .iter()
                .map(|h| map.get(h).map(py_str).unwrap_or_default())
                .collect();
            self.table.current()?.add_row(row)?;
            for key in &more {
                if let Some(value) = map.get(key) {
                    self.build_table(Some(key), value, indent_level + 1)?;
                }
            }
        }
        Ok(())
    }
}

fn group_scalar_keys(map: &serde_json::Map<String, Value>) -> (Vec<String>, Vec<String>) {
    let mut headers = Vec::new();
    let mut more = Vec::new();
    for (key, value) in map {
        if is_scalar(value) {
            headers.push(key.clone());
        } else {
            more.push(key.clone());
        }
    }
    headers.sort();
    more.sort();
    (headers, more)
}

/// Renders `value` as the CLI's table titled `title`; empty (falsy) values print nothing.
pub fn format_table(
    title: &str,
    value: &Value,
    terminal_width: usize,
) -> Result<String, OutputError> {
    let mut builder = Builder {
        table: MultiTable {
            sections: Vec::new(),
            terminal_width,
        },
    };
    if !builder.build_table(Some(title), value, 0)? {
        return Ok(String::new());
    }
    Ok(builder.table.render())
}
