@testable import ETLCore
import PostgresNIO
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("migrations apply once; a second run (also concurrent) changes nothing")
    func idempotent() async throws {
        let database = try await TestDatabase.create()
        do {
            let (first, second, third) = try await database.withClient { client in
                let migrator = Migrator(logger: TestDatabase.logger)
                let first = try await migrator.migrate(client)
                async let a = migrator.migrate(client)
                async let b = migrator.migrate(client)
                let (second, third) = try await (a, b)
                return (first, second, third)
            }
            #expect(first == SchemaMigrations.all.map(\.version))
            #expect(second.isEmpty && third.isEmpty)
            #expect(try await database.scalar("SELECT count(*) FROM schema_migrations") == SchemaMigrations.all.count)
            let tables = try await database.strings("""
                SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
                """)
            #expect(tables == ["cattle_lot", "etl_alert_history", "etl_dead_letter_queue", "etl_file", "schema_migrations"])
            #expect(try await database.scalar(
                "SELECT count(*) FROM pg_indexes WHERE indexname = '\(SchemaMigrations.statusIndexName)'") == 1)
            // The status check constraint is real.
            await #expect(throws: PSQLError.self) {
                try await database.execute("INSERT INTO etl_file (filename, status) VALUES ('x.csv', 'done')")
            }
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    @Test("a failing migration rolls back and names its version")
    func failingMigration() async throws {
        let database = try await TestDatabase.create()
        let broken = [Migration(version: 7, name: "broken", statements: ["CREATE TABLE t7 (id int)", "SELECT * FROM missing_table"])]
        let outcome: String = try await database.withClient { client in
            do {
                try await Migrator(migrations: broken, logger: TestDatabase.logger).migrate(client)
                return "applied"
            } catch let error as ETLError {
                return error.message
            }
        }
        #expect(outcome.contains("migration 7 (broken) failed"))
        #expect(outcome.contains("42P01"))
        #expect(try await database.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 't7'") == 0)
        #expect(try await database.scalar("SELECT count(*) FROM schema_migrations") == 0)
        await database.drop()
    }
}
