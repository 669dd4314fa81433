//! The frame every email shares, in text and HTML. Kinds hand over plain strings; every
//! one of them is escaped here before it reaches HTML.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute, encode_text};
use portal_domain::types::Locale;

use super::{fill, language_for};
use crate::{EmailConfig, RenderedEmail};

/// A piece of an email body, in reading order.
pub(crate) enum Block {
    Paragraph(String),
    /// Something to type in (a code): set apart so it is easy to find and copy.
    Code(String),
    /// Someone else's words (a reviewer's reason), set apart; its line breaks are kept.
    Quote(String),
    /// A button in HTML; the label and the address on their own line in text.
    Link {
        label: String,
        url: String,
    },
}

pub(super) struct Strings {
    pub(super) sign_off: &'static str,
    pub(super) help: &'static str,
}

pub(crate) fn render(
    subject: String,
    blocks: &[Block],
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (tag, language) = language_for(locale);
    let strings = &language.layout;
    let sign_off = fill(strings.sign_off, &[("product", &config.product_name)]);
    RenderedEmail {
        text: text(blocks, &sign_off, strings, config),
        html: html(&subject, blocks, tag, &sign_off, strings, config),
        subject,
    }
}

fn text(blocks: &[Block], sign_off: &str, strings: &Strings, config: &EmailConfig) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Paragraph(text) => out.push_str(text),
            Block::Code(code) => {
                let _ = write!(out, "    {code}");
            }
            Block::Quote(quote) => {
                let lines: Vec<String> = quote_lines(quote)
                    .map(|line| format!("> {line}").trim_end().to_owned())
                    .collect();
                out.push_str(&lines.join("\n"));
            }
            Block::Link { label, url } => {
                let _ = write!(out, "{label}:\n{url}");
            }
        }
        out.push_str("\n\n");
    }
    let help = fill(strings.help, &[("support", &config.support_address)]);
    let _ = write!(out, "{sign_off}\n\n-- \n{help}\n");
    out
}

/// The lines of a quote, whatever line breaks it was written with (`\n`, `\r\n`, `\r`).
fn quote_lines(quote: &str) -> impl Iterator<Item = &str> {
    quote
        .trim()
        .split("\r\n")
        .flat_map(|part| part.split(['\r', '\n']))
}

fn html(
    subject: &str,
    blocks: &[Block],
    language: &str,
    sign_off: &str,
    strings: &Strings,
    config: &EmailConfig,
) -> String {
    // Inline styles only: most mail clients drop <style> blocks.
    let mut body = String::new();
    for block in blocks {
        let _ = match block {
            Block::Paragraph(text) => write!(
                body,
                r#"<p style="margin:0 0 16px">{}</p>"#,
                encode_text(text)
            ),
            Block::Code(code) => write!(
                body,
                r#"<p style="margin:0 0 16px;font-family:Consolas,Menlo,monospace;font-size:32px;font-weight:bold;letter-spacing:6px">{}</p>"#,
                encode_text(code)
            ),
            Block::Quote(quote) => write!(
                body,
                r#"<blockquote style="margin:0 0 16px;padding:8px 16px;border-left:4px solid #c9ced6;color:#333333">{}</blockquote>"#,
                quote_lines(quote)
                    .map(|line| encode_text(line).into_owned())
                    .collect::<Vec<_>>()
                    .join("<br>")
            ),
            Block::Link { label, url } => write!(
                body,
                r#"<p style="margin:0 0 16px"><a href="{url}" style="display:inline-block;padding:10px 18px;background:#1f5fbf;color:#ffffff;text-decoration:none;border-radius:4px">{label}</a><br><span style="font-size:12px;color:#666666">{url_text}</span></p>"#,
                url = encode_double_quoted_attribute(url),
                label = encode_text(label),
                url_text = encode_text(url),
            ),
        };
    }
    let support = config.support_address.as_str();
    let support_link = format!(
        r#"<a href="mailto:{}" style="color:#666666">{}</a>"#,
        encode_double_quoted_attribute(support),
        encode_text(support)
    );
    // The placeholder is filled after escaping the sentence, so the link's markup survives.
    let help = fill(&encode_text(strings.help), &[("support", &support_link)]);
    format!(
        concat!(
            r#"<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">"#,
            r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#,
            r#"<title>{subject}</title></head>"#,
            r#"<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1d1d1f">"#,
            r#"<div style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;border-radius:6px">"#,
            r#"{body}<p style="margin:24px 0 0">{sign_off}</p></div>"#,
            r#"<p style="max-width:560px;margin:16px auto 0;font-size:12px;color:#666666">{help}</p>"#,
            "</body></html>"
        ),
        language = encode_double_quoted_attribute(language),
        subject = encode_text(subject),
        body = body,
        sign_off = encode_text(sign_off),
        help = help,
    )
}
