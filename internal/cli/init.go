package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/config"
	"github.com/venerdi/venerdi/internal/newsletter"
)

type initOptions struct {
	Path string
	Blog string
}

func newInitCmd(a *App) *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented venerdi.toml (to --config) to start from",
		Long: `Write a commented venerdi.toml to start from (to --config, default
./venerdi.toml; an existing file is never overwritten). What venerdi cannot
know is written as a REPLACE-ME placeholder, and venerdi refuses to run until
each one is replaced: nothing goes out under a made-up name.

With --blog URL, the blog's home page is read to fill in its title, address,
language and feed (from its <link rel="alternate"> tags).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Path, _ = a.configPath()
			return runInit(cmd.Context(), a.out, o)
		},
	}
	cmd.Flags().StringVar(&o.Blog, "blog", "", "the blog's home page: fill in title, URL, language and feed from it")
	return cmd
}

func runInit(ctx context.Context, p *printer, o initOptions) error {
	var s config.Starter
	if o.Blog != "" {
		d, err := newsletter.Discover(ctx, o.Blog, version())
		if err != nil {
			return err
		}
		s = config.Starter{Title: d.Title, URL: d.URL, Language: d.Language, Feeds: d.Feeds}
		for _, w := range d.Notes {
			p.Warnf("%s", w)
		}
	}
	f, err := os.OpenFile(o.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists; not overwriting it", o.Path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(config.StarterFile(s)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	abs, _ := filepath.Abs(o.Path)
	p.Printf("wrote %s: replace each %s in it, then run 'venerdi subscribers import FILE.csv' and 'venerdi preview'", abs, config.Placeholder)
	return nil
}
