"""Reading and writing awesome lists: tables, bullets, HTML, repair, fetching by URL;
rows written back; diff and history over Git."""
