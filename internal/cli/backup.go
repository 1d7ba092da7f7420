package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

type backupOptions struct {
	File  string
	Force bool
}

const backupLong = `Write a consistent copy of the live database to FILE: the database as of
one moment, taken without stopping 'venerdi serve' or a send that is
running (SQLite's VACUUM INTO). The copy is owner-only (0600): it holds the
list, the consent records and the signing secret. An existing FILE is
refused unless --force. Silent on success; -v says how big the copy is.

To restore, stop serve and the timer or cron job, then replace the
database and its -wal and -shm files with the copy (see the README,
"Backup and restore"). A restored database never re-sends an issue
composed more than digest.max_delay ago.`

func newBackupCmd(a *App) *cobra.Command {
	var o backupOptions
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Copy the live database to FILE, consistently, while serve and send run",
		Long:  backupLong,
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				return runBackup(ctx, a.out, nl, o)
			})
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "replace FILE if it exists")
	return cmd
}

func runBackup(ctx context.Context, p *printer, nl *newsletter.Newsletter, o backupOptions) error {
	size, err := nl.Backup(ctx, o.File, o.Force)
	if err != nil {
		return err
	}
	p.Verbosef("backed up the database to %s (%d KB)", o.File, (size+1023)/1024)
	return nil
}
