"""DOCX and PDF exports of entries and training collections, with Chinese typesetting."""
