using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RegistryExchange.Agent.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ResultsRecordedThrough : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "results_recorded_through",
                table: "sync_state",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.UpdateData(
                table: "sync_state",
                keyColumn: "id",
                keyValue: 1,
                column: "results_recorded_through",
                value: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "results_recorded_through",
                table: "sync_state");
        }
    }
}
