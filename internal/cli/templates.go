package cli

import (
	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

func newTemplatesCmd(a *App) *cobra.Command {
	cmd := groupCmd(&cobra.Command{Use: "templates", Short: "Work with the email templates"})
	cmd.AddCommand(&cobra.Command{
		Use:   "export DIR",
		Short: "Write the default templates of site.language to DIR for editing (then set digest.templates = DIR)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			files, err := newsletter.ExportTemplates(cfg.Site.Language, args[0])
			for _, f := range files {
				a.out.Printf("%s", f)
			}
			return err
		},
	})
	return cmd
}
