import { describe, expect, it } from 'vitest';
import { CobraReader, stripComments } from './go-cobra.ts';

const files: Record<string, string> = {
	'cmd/root.go': `package cmd

import (
	"github.com/spf13/cobra"
	"example.com/tool/pkg/opts"
)

const outputFlag = "output"

// NewRoot builds the tree. AddCommand(ignored) in a comment is not read.
func NewRoot() *cobra.Command {
	root := &cobra.Command{Use: "tool", Short: "x"}
	root.PersistentFlags().StringVarP(&ns, "namespace", "n", "", "ns")
	root.AddCommand(newGet(), deprecated(newOld()))
	group := &cobra.Command{
		Use:     "config [flags]",
		Aliases: []string{"cfg"},
	}
	for _, c := range []*cobra.Command{newGet()} {
		group.AddCommand(c)
	}
	root.AddCommand(group)
	return root
}

func newGet() *cobra.Command {
	var o opts.Options
	cmd := &cobra.Command{
		Use: "get <name>",
		RunE: func(cmd *cobra.Command, args []string) error {
			return nil
		},
	}
	flags := cmd.Flags()
	flags.BoolVar(&all, "all", false, "all")
	flags.VarP(&format, outputFlag, "o", "format")
	flags.StringVar(&wait, "wait", "", "wait")
	flags.Lookup("wait").NoOptDefVal = "true"
	o.Attach(cmd)
	return cmd
}

func newOld() *cobra.Command {
	return &cobra.Command{Use: "old", Run: func(*cobra.Command, []string) {}}
}

func deprecated(cmd *cobra.Command) *cobra.Command {
	cmd.Hidden = true
	return cmd
}
`,
	'pkg/opts/opts.go': `package opts

import "github.com/spf13/pflag"

type Options struct{}

func (o *Options) Attach(cmd *cobra.Command) {
	cmd.Flags().AddFlagSet(shared())
}

func shared() *pflag.FlagSet {
	fs := pflag.NewFlagSet("shared", pflag.ExitOnError)
	fs.DurationP("timeout", "t", 0, "timeout")
	return fs
}
`,
};

function reader() {
	return new CobraReader({
		module: 'example.com/tool',
		readDir: (dir) =>
			Object.entries(files)
				.filter(([p]) => p.slice(0, p.lastIndexOf('/')) === dir)
				.map(([path, text]) => ({ path, text })),
	});
}

describe('reading a cobra command tree from Go source', () => {
	it('follows commands, aliases, loops, helpers in other packages and flag sets', () => {
		const tree = reader().read('cmd', 'NewRoot');
		expect(Object.keys(tree)).toEqual(['', 'config', 'config get', 'get', 'old']);
		expect(tree['']?.persistent).toEqual({ namespace: { short: 'n', value: 'required' } });
		expect(tree['config']).toMatchObject({ aliases: ['cfg'], runnable: false });
		expect(tree['get']).toEqual({
			runnable: true,
			flags: {
				all: { value: 'none' },
				output: { short: 'o', value: 'required' },
				timeout: { short: 't', value: 'required' },
				wait: { value: 'optional' },
			},
			persistent: {},
		});
		expect(tree['old']).toMatchObject({ hidden: true, runnable: true });
	});

	it('keeps strings and line breaks when it drops comments', () => {
		const src = 'a := "// not a comment" // comment\n/* block\n */ b := `/* raw */`';
		expect(stripComments(src)).toBe('a := "// not a comment" \n        \n    b := `/* raw */`');
	});
});
