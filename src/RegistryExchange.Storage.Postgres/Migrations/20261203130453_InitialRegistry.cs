using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace RegistryExchange.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class InitialRegistry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "change_log",
                columns: table => new
                {
                    version = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    school_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    student_local_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    national_student_number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    rejection_reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status_after = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    record_ended = table.Column<bool>(type: "boolean", nullable: false),
                    record_version = table.Column<long>(type: "bigint", nullable: false),
                    applied_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    payload = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_change_log", x => x.version);
                });

            migrationBuilder.CreateTable(
                name: "duplicate_cases",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    id_number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    existing_national_student_number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    existing_school_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    claiming_school_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    claiming_local_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    claiming_sequence = table.Column<long>(type: "bigint", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    resolution = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    opened_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    resolved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_duplicate_cases", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "schools",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    region_code = table.Column<string>(type: "character varying(6)", maxLength: 6, nullable: false),
                    high_water_mark = table.Column<long>(type: "bigint", nullable: false),
                    next_assigned_serial = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_schools", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "students",
                columns: table => new
                {
                    national_student_number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    owner_school_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    local_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    id_number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    record_json = table.Column<string>(type: "text", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_students", x => x.national_student_number);
                });

            migrationBuilder.CreateIndex(
                name: "ux_change_log_school_code_sequence",
                table: "change_log",
                columns: new[] { "school_code", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_duplicate_cases_state_id",
                table: "duplicate_cases",
                columns: new[] { "state", "id" });

            migrationBuilder.CreateIndex(
                name: "ux_students_id_number",
                table: "students",
                column: "id_number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_students_owner_school_code_local_id",
                table: "students",
                columns: new[] { "owner_school_code", "local_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "change_log");

            migrationBuilder.DropTable(
                name: "duplicate_cases");

            migrationBuilder.DropTable(
                name: "schools");

            migrationBuilder.DropTable(
                name: "students");
        }
    }
}
