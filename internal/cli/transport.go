package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/store"
)

// deliveryOptions turns the config into delivery.Options for issue.
func (a *App) deliveryOptions(ctx context.Context, is *store.Issue) (*delivery.Options, error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	st, err := a.Store(ctx)
	if err != nil {
		return nil, err
	}
	secret, err := cfg.WebSecret()
	if err != nil {
		return nil, err
	}
	if secret == "" {
		if secret, err = st.Secret(ctx); err != nil {
			return nil, err
		}
	}
	opts := &delivery.Options{
		Issue:             is,
		From:              cfg.Mail.From,
		ReplyTo:           cfg.Mail.ReplyTo,
		ListID:            cfg.Mail.ListID,
		UnsubscribeURL:    cfg.Mail.UnsubscribeURL,
		UnsubscribeMailto: cfg.Mail.UnsubscribeMailto,
		Secret:            []byte(secret),
		Connections:       cfg.SMTP.Connections,
		Rate:              cfg.SMTP.Rate,
		MaxPerHour:        cfg.SMTP.MaxPerHour,
		MaxAttempts:       cfg.SMTP.MaxAttempts,
		Backoff:           cfg.SMTP.Backoff.Duration,
		Now:               a.Now,
	}
	if cfg.Mail.DKIMKeyFile != "" {
		key, err := os.ReadFile(cfg.Path(cfg.Mail.DKIMKeyFile))
		if err != nil {
			return nil, fmt.Errorf("mail.dkim_key_file: %w", err)
		}
		domain := cfg.Mail.DKIMDomain
		if domain == "" {
			domain = delivery.DomainOf(cfg.Mail.From)
		}
		if opts.Signer, err = mailer.NewSigner(domain, cfg.Mail.DKIMSelector, key); err != nil {
			return nil, fmt.Errorf("mail.dkim_key_file: %w", err)
		}
	}
	if cfg.SMTP.Host == "" {
		dir := cfg.Path(cfg.Outbox.Dir)
		opts.Connections = 1 // a folder needs no pool
		// Created when the first message goes out, so preview leaves no
		// empty folder behind.
		opts.Dial = func(context.Context) (delivery.Sender, error) { return mailer.NewOutbox(dir) }
		return opts, nil
	}
	password, err := cfg.SMTPPassword()
	if err != nil {
		return nil, err
	}
	smtpCfg := mailer.SMTPConfig{
		Host:     cfg.SMTP.Host,
		Port:     cfg.SMTP.Port,
		Username: cfg.SMTP.Username,
		Password: password,
		TLS:      cfg.SMTP.TLS,
		Timeout:  cfg.SMTP.Timeout.Duration,
	}
	opts.Dial = func(ctx context.Context) (delivery.Sender, error) {
		c, err := mailer.Dial(ctx, smtpCfg)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return opts, nil
}
