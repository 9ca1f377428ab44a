/*
 * The least a SQLite table can do per lookup, as a measuring stick for
 * scripts/bench-compare.sh (FLOOR=1): not a table anyone should run.
 *
 * It reads `dbpath` and `query_alias` from a table-sqlite config, registers alias, and
 * answers each `lookup` line with one read(2), the query and one write(2): no checks of the
 * line (version, op, service, id), no check of the value, no logging, no reconnection. What
 * it costs per lookup is SQLite's work, the system calls and the switches between driver and
 * table, which every SQLite table pays; what table-sqlite or the C original cost above it is
 * their own code. So the floor beside the C original bounds what any table could gain on it.
 *
 * Build: cc -O2 -o sqlite-floor sqlite-floor.c -lsqlite3   (bench-compare.sh does it)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char input[4096];
static size_t buffered;

/* The end (LF) of the next whole line in `input`, reading more as needed; NULL at end of input. */
static char *next_line(void) {
    for (;;) {
        char *end = memchr(input, '\n', buffered);
        if (end != NULL)
            return end;
        if (buffered == sizeof input) {
            fprintf(stderr, "sqlite-floor: line longer than %zu bytes\n", sizeof input);
            exit(1);
        }
        ssize_t n = read(0, input + buffered, sizeof input - buffered);
        if (n <= 0)
            return NULL;
        buffered += (size_t)n;
    }
}

static void drop_line(const char *end) {
    size_t used = (size_t)(end + 1 - input);
    memmove(input, input + used, buffered - used);
    buffered -= used;
}

static void put(char *out, size_t *length, const void *bytes, size_t count, size_t capacity) {
    if (*length + count > capacity) {
        fprintf(stderr, "sqlite-floor: reply longer than %zu bytes\n", capacity);
        exit(1);
    }
    memcpy(out + *length, bytes, count);
    *length += count;
}

static char *setting(const char *line, const char *keyword) {
    size_t n = strlen(keyword);
    if (strncmp(line, keyword, n) != 0 || line[n] != ' ')
        return NULL;
    char *value = strdup(line + n + 1);
    value[strcspn(value, "\n")] = '\0';
    return value;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: sqlite-floor CONFIG\n");
        return 2;
    }
    FILE *config = fopen(argv[1], "r");
    if (config == NULL) {
        perror(argv[1]);
        return 1;
    }
    char line[4096], *path = NULL, *query = NULL, *value;
    while (fgets(line, sizeof line, config) != NULL) {
        if ((value = setting(line, "dbpath")) != NULL)
            path = value;
        else if ((value = setting(line, "query_alias")) != NULL)
            query = value;
    }
    fclose(config);
    if (path == NULL || query == NULL) {
        fprintf(stderr, "sqlite-floor: %s needs dbpath and query_alias\n", argv[1]);
        return 1;
    }

    /* As table-sqlite opens it: no mutexes, no memory statistics, one prepared statement. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3 *db;
    sqlite3_stmt *statement;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(db, query, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite-floor: %s\n", sqlite3_errmsg(db));
        return 1;
    }

    char *end;
    while ((end = next_line()) != NULL) {
        int ready = strncmp(input, "config|ready\n", 13) == 0;
        drop_line(end);
        if (ready)
            break;
    }
    static const char registration[] = "register|alias\nregister|ready\n";
    if (write(1, registration, sizeof registration - 1) < 0)
        return 1;

    /* table|version|timestamp|table|lookup|service|id|key: the id is field 6, the key the rest. */
    char reply[8192];
    while ((end = next_line()) != NULL) {
        const char *field[7];
        int found = 0;
        for (char *p = input; p < end && found < 7; p++)
            if (*p == '|')
                field[found++] = p + 1;
        if (found < 7) {
            fprintf(stderr, "sqlite-floor: not a lookup line\n");
            return 1;
        }
        const char *id = field[5], *key = field[6];
        size_t length = 0;
        put(reply, &length, "lookup-result|", 14, sizeof reply);
        put(reply, &length, id, (size_t)(key - 1 - id), sizeof reply);
        sqlite3_bind_text(statement, 1, key, (int)(end - key), SQLITE_STATIC);
        int rows = 0;
        while (sqlite3_step(statement) == SQLITE_ROW) {
            if (rows++ == 0)
                put(reply, &length, "|found|", 7, sizeof reply);
            else
                put(reply, &length, ", ", 2, sizeof reply);
            put(reply, &length, sqlite3_column_text(statement, 0), (size_t)sqlite3_column_bytes(statement, 0), sizeof reply);
        }
        sqlite3_reset(statement);
        if (rows == 0)
            put(reply, &length, "|not-found", 10, sizeof reply);
        put(reply, &length, "\n", 1, sizeof reply);
        drop_line(end);
        if (write(1, reply, length) != (ssize_t)length)
            return 1;
    }
    return 0;
}
