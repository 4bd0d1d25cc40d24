CREATE TABLE accounts (aid int PRIMARY KEY, abalance int NOT NULL DEFAULT 0);
CREATE TABLE history (id bigserial PRIMARY KEY, aid int, delta int, mtime timestamptz);
INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 100000) g;
