// Command mangen writes venerdi's manual pages, one per command, generated
// from the cobra command tree so they never drift from --help: go run
// ./tools/mangen DIR (make man writes them to man/). The date in the
// pages is $SOURCE_DATE_EPOCH when set, for reproducible builds.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/venerdi/venerdi/internal/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mangen DIR")
		os.Exit(2)
	}
	if err := generate(os.Args[1], os.Getenv("SOURCE_DATE_EPOCH")); err != nil {
		fmt.Fprintln(os.Stderr, "mangen:", err)
		os.Exit(1)
	}
}

func generate(dir, epoch string) error {
	date := time.Now()
	if epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", epoch, err)
		}
		date = time.Unix(sec, 0).UTC()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cli.Command()
	root.DisableAutoGenTag = true
	escapeLong(root)
	return doc.GenManTree(root, &doc.GenManHeader{
		Title:   "VENERDI",
		Section: "1",
		Source:  "venerdi " + cli.Version,
		Manual:  "venerdi manual",
		Date:    &date,
	}, dir)
}

// The long help is plain text, but the pages are rendered from Markdown:
// VENERDI_<SECTION>_<KEY> must not turn into emphasis and an HTML tag.
var markdown = strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "<", `\<`, ">", `\>`, "`", "\\`")

func escapeLong(c *cobra.Command) {
	c.Long = markdown.Replace(c.Long)
	for _, sub := range c.Commands() {
		escapeLong(sub)
	}
}
