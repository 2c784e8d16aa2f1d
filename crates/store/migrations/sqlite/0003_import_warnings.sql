-- Warnings a reader raised about an accepted file (errors reject the file; warnings stay with it).
CREATE TABLE import_warnings (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    seq INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
