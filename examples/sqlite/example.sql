-- Example database for table-sqlite: the upstream "FAQ" schema (domains, virtuals,
-- credentials) plus userinfo, sender maps and networks. Rows are lowercase because smtpd
-- lowercases every key before it asks.
-- Build it with: sqlite3 example.db < example.sql
CREATE TABLE domains (id INTEGER PRIMARY KEY, domain TEXT NOT NULL UNIQUE);
CREATE TABLE virtuals (id INTEGER PRIMARY KEY, email TEXT NOT NULL, destination TEXT NOT NULL);
CREATE TABLE credentials (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, password TEXT NOT NULL);
CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, uid INTEGER, gid INTEGER, maildir TEXT);
CREATE TABLE senders (id INTEGER PRIMARY KEY, login TEXT NOT NULL, address TEXT NOT NULL);
CREATE TABLE networks (id INTEGER PRIMARY KEY, address TEXT NOT NULL UNIQUE);
CREATE TABLE relays (id INTEGER PRIMARY KEY, address TEXT NOT NULL);
CREATE INDEX virtuals_email ON virtuals(email);
CREATE INDEX senders_login ON senders(login);

INSERT INTO domains (domain) VALUES ('example.org'), ('example.net');

INSERT INTO virtuals (email, destination) VALUES
    ('abuse@example.org', 'alice@example.org'),
    ('postmaster@example.org', 'alice@example.org'),
    ('postmaster@example.org', 'bob@example.org'),
    ('webmaster@example.org', 'bob@example.org'),
    ('alice@example.org', 'vmail'),
    ('bob@example.org', 'vmail'),
    ('@example.net', 'alice@example.org');

-- Passwords: alice's is "alice-secret", bob's "bob-secret" (bcrypt, from smtpctl encrypt);
-- bob's is stored with the Dovecot-style {BLF-CRYPT} prefix, which table-sqlite removes.
INSERT INTO credentials (email, password) VALUES
    ('alice@example.org', '$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS'),
    ('bob@example.org', '{BLF-CRYPT}$2b$08$Xb1UHCS7lvOaIcA/wS84Zuw/EnTHjcWtwjwZMIR0kiGn/nCBZgZtq');

INSERT INTO users (login, uid, gid, maildir) VALUES
    ('vmail', 5000, 5000, '/var/vmail'),
    ('alice@example.org', 5000, 5000, '/var/vmail/example.org/alice');

INSERT INTO senders (login, address) VALUES
    ('alice@example.org', 'alice@example.org'),
    ('alice@example.org', 'postmaster@example.org'),
    ('bob@example.org', '@example.org');

INSERT INTO networks (address) VALUES ('127.0.0.1'), ('[::1]'), ('local');
INSERT INTO relays (address) VALUES ('192.0.2.10'), ('192.0.2.11');
