using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RegistryExchange.Agent.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialRegister : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "outbox",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    local_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    payload = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "push_rejections",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    local_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    message = table.Column<string>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_push_rejections", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "students",
                columns: table => new
                {
                    local_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    national_student_number = table.Column<string>(type: "TEXT", maxLength: 19, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false),
                    record_json = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_students", x => x.local_id);
                });

            migrationBuilder.CreateTable(
                name: "sync_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    authority_high_water_mark = table.Column<long>(type: "INTEGER", nullable: false),
                    last_push_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_state", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "sync_state",
                columns: new[] { "id", "authority_high_water_mark", "last_error", "last_push_at" },
                values: new object[] { 1, 0L, null, null });

            migrationBuilder.CreateIndex(
                name: "ix_students_status",
                table: "students",
                columns: new[] { "status", "local_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "outbox");

            migrationBuilder.DropTable(
                name: "push_rejections");

            migrationBuilder.DropTable(
                name: "students");

            migrationBuilder.DropTable(
                name: "sync_state");
        }
    }
}
