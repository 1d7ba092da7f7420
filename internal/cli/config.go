package cli

import (
	"github.com/spf13/cobra"
)

func newConfigCmd(a *App) *cobra.Command {
	cmd := groupCmd(&cobra.Command{Use: "config", Short: "Inspect the configuration"})
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration (file + environment), secrets masked, and what is wrong with it",
		Long: `Print the effective configuration: the file, with every VENERDI_* variable
applied, secrets masked. A config that venerdi would refuse is printed all
the same, followed by what is wrong with it, key by key (exit 1).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.readConfig()
			if err != nil {
				return err
			}
			b, err := cfg.Masked()
			if err != nil {
				return err
			}
			a.out.Printf("# %s", cfg.File)
			if _, err := a.out.Write(b); err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return configError{cfg.File, err}
			}
			return nil
		},
	})
	return cmd
}

// configError is a config that does not validate, by file.
type configError struct {
	file string
	err  error
}

func (e configError) Error() string { return e.file + ": " + e.err.Error() }
func (e configError) Unwrap() error { return e.err }
