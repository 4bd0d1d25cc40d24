\set aid random(1, 100000)
\set delta random(-5000, 5000)
INSERT INTO history (aid, delta, mtime) VALUES (:aid, :delta, now());
UPDATE accounts SET abalance = abalance + :delta WHERE aid = :aid;
