using RegistryExchange.Contracts.V1;
using RegistryExchange.Domain.Students;
using RegistryExchange.Domain.Validation;

namespace RegistryExchange.Protocol;

/// <summary>
/// Structural checks of a pushed change: everything that can be judged from the change alone. A change that fails
/// here makes the whole batch INVALID_ARGUMENT (an honest agent ran the same checks before committing locally).
/// Rules that need the register (ownership, duplicates, transitions) are per-change rejections instead.
/// </summary>
public static class ChangeValidation
{
    public static IReadOnlyList<ValidationError> Validate(RecordChange change, DateOnly today)
    {
        var errors = new List<ValidationError>();
        var localIdProblem = Student.CheckLocalId(change.StudentLocalId);
        if (localIdProblem is not null)
        {
            errors.Add(new("student_local_id", localIdProblem));
        }
        if (change.NationalStudentNumber.Length > 0 && !Domain.Codes.NationalStudentNumber.IsWellFormed(change.NationalStudentNumber))
        {
            errors.Add(new("national_student_number", "is not a well-formed national student number"));
        }
        switch (change.ChangeCase)
        {
            case RecordChange.ChangeOneofCase.Created:
                if (change.Created.Details is null)
                {
                    errors.Add(new("created.details", "is required"));
                    break;
                }
                errors.AddRange(StudentDetailsValidator.Validate(change.Created.Details.ToDomain(), today).Select(e => e.WithPrefix("created.details")));
                if (change.Created.EffectiveDate.Length > 0 && !Domain.Codes.CalendarDate.TryParse(change.Created.EffectiveDate, out _))
                {
                    errors.Add(new("created.effective_date", $"'{change.Created.EffectiveDate}' is not a real calendar date in YYYY-MM-DD form"));
                }
                break;
            case RecordChange.ChangeOneofCase.Updated:
                if (change.Updated.Details is null)
                {
                    errors.Add(new("updated.details", "is required"));
                    break;
                }
                errors.AddRange(StudentDetailsValidator.Validate(change.Updated.Details.ToDomain(), today).Select(e => e.WithPrefix("updated.details")));
                break;
            case RecordChange.ChangeOneofCase.StatusChanged:
                var s = change.StatusChanged;
                errors.AddRange(StatusLifecycle.ValidateEvent((Domain.Students.StatusEventKind)s.Kind, s.EffectiveDate, s.Reason, s.Reference, s.NewValue, today)
                    .Select(e => e.WithPrefix("status_changed")));
                break;
            default:
                errors.Add(new("change", "one of created, updated or status_changed is required"));
                break;
        }
        return errors;
    }

    /// <summary>Validates a batch, prefixing each field with its position: "changes[3].created.details.basic.id_number".</summary>
    public static IReadOnlyList<ValidationError> ValidateBatch(IReadOnlyList<RecordChange> changes, DateOnly today, int maxBatch)
    {
        var errors = new List<ValidationError>();
        if (changes.Count == 0)
        {
            errors.Add(new("changes", "must contain at least one change"));
            return errors;
        }
        if (changes.Count > maxBatch)
        {
            errors.Add(new("changes", $"has {changes.Count} changes; at most {maxBatch} are allowed per batch"));
            return errors;
        }
        for (var i = 0; i < changes.Count; i++)
        {
            if (changes[i].Sequence == 0)
            {
                errors.Add(new($"changes[{i}].sequence", "must be 1 or more"));
            }
            else if (i > 0 && changes[i].Sequence != changes[i - 1].Sequence + 1)
            {
                errors.Add(new($"changes[{i}].sequence", $"is {changes[i].Sequence}; sequence numbers in a batch must be consecutive, expected {changes[i - 1].Sequence + 1}"));
            }
            errors.AddRange(Validate(changes[i], today).Select(e => e.WithPrefix($"changes[{i}]")));
        }
        return errors;
    }
}
