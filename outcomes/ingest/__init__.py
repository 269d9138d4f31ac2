"""From a meeting's final document (PDF, DOCX or text) to a draft meeting the secretariat reviews, then imports.

extract → the document's text as numbered lines; clean → its paragraphs; segment → headings, sessions and entries
with their kinds; tag → countries, organisations, themes and speakers; propose → the draft in the exchange format;
compare → how close a draft comes to a curated meeting.
"""
