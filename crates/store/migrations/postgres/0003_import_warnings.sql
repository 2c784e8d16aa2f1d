-- Warnings a reader raised about an accepted file (errors reject the file; warnings stay with it).
CREATE TABLE import_warnings (
    import_id BIGINT NOT NULL REFERENCES imports(id),
    seq BIGINT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
