-- Example schema for table-postgres (psql -d mail -f example.sql). Rows are lowercase
-- because smtpd lowercases every key before it asks.
CREATE TABLE domains (domain TEXT PRIMARY KEY);
CREATE TABLE virtuals (id SERIAL PRIMARY KEY, email TEXT NOT NULL, destination TEXT NOT NULL);
CREATE INDEX virtuals_email ON virtuals (email);
CREATE TABLE credentials (email TEXT PRIMARY KEY, password TEXT NOT NULL);
CREATE TABLE users (login TEXT PRIMARY KEY, uid INTEGER NOT NULL, gid INTEGER NOT NULL, maildir TEXT NOT NULL);
CREATE TABLE senders (id SERIAL PRIMARY KEY, login TEXT NOT NULL, address TEXT NOT NULL);
CREATE INDEX senders_login ON senders (login);
CREATE TABLE networks (address TEXT PRIMARY KEY);
CREATE TABLE relays (address TEXT PRIMARY KEY);

INSERT INTO domains VALUES ('example.org'), ('example.net');
INSERT INTO virtuals (email, destination) VALUES
    ('abuse@example.org', 'alice@example.org'),
    ('postmaster@example.org', 'alice@example.org'),
    ('postmaster@example.org', 'bob@example.org'),
    ('alice@example.org', 'vmail'),
    ('bob@example.org', 'vmail'),
    ('@example.net', 'alice@example.org');
-- Passwords: alice's is "alice-secret", bob's "bob-secret" (bcrypt, from smtpctl encrypt).
INSERT INTO credentials VALUES
    ('alice@example.org', '$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS'),
    ('bob@example.org', '{BLF-CRYPT}$2b$08$Xb1UHCS7lvOaIcA/wS84Zuw/EnTHjcWtwjwZMIR0kiGn/nCBZgZtq');
INSERT INTO users VALUES
    ('vmail', 5000, 5000, '/var/vmail'),
    ('alice@example.org', 5000, 5000, '/var/vmail/example.org/alice');
INSERT INTO senders (login, address) VALUES
    ('alice@example.org', 'alice@example.org'),
    ('alice@example.org', 'postmaster@example.org'),
    ('bob@example.org', '@example.org');
INSERT INTO networks VALUES ('127.0.0.1'), ('[::1]'), ('local');
INSERT INTO relays VALUES ('192.0.2.10'), ('192.0.2.11');

-- The login table-postgres uses: read-only on these tables.
-- CREATE ROLE smtpd LOGIN PASSWORD 'secret';
-- GRANT SELECT ON domains, virtuals, credentials, users, senders, networks, relays TO smtpd;
