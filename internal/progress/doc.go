// Package progress keeps the learner's progress through a course in one small
// JSON file, so that lab can be stopped, upgraded or run from another
// directory and still pick up where the learner left off.
//
// The file lives in the directory returned by [Dir]. Every change goes through
// [Store.Update], which holds an exclusive file lock, writes a temporary file,
// syncs it and renames it into place, so two lab processes never interleave
// their writes and a crash never leaves half a file behind. A file that cannot
// be read is kept aside rather than thrown away; see [RecoveredError].
package progress
