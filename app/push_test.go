package app

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/config"
	"framecast/backend/relay"
)

const relayPublishToken = "relay-publish-token-0123"

func TestPushingToARelayFollowsTheLinkAndRefusesBadSettings(t *testing.T) {
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: relayPublishToken},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	saved := smallSaved(t)
	a, _, st := newApp(t, &saved)

	bad := []struct {
		name string
		p    config.Push
		want string
	}{
		{"a stream name with a slash", config.Push{Enabled: true, Relay: "ws://" + rl.Addr().String(), Stream: "a/b", PublishToken: relayPublishToken}, "stream name"},
		{"a relay that is not a URL", config.Push{Enabled: true, Relay: "ftp://x", Stream: "line", PublishToken: relayPublishToken}, "wss://"},
		{"a publish token the relay would refuse", config.Push{Enabled: true, Relay: "ws://" + rl.Addr().String(), Stream: "line", PublishToken: "short"}, "publish token: must be 16 to 256"},
		{"no publish token", config.Push{Enabled: true, Relay: "ws://x", Stream: "line"}, "publish token"},
	}
	for _, c := range bad {
		t.Run(c.name+" is refused", func(t *testing.T) {
			info, err := a.SetPush(c.p)
			if err == nil || !strings.Contains(err.Error(), c.want) || info.Enabled {
				t.Fatalf("SetPush = %+v, %v; want refused about %q", info, err, c.want)
			}
		})
	}

	info, err := a.SetPush(config.Push{Enabled: true, Relay: "http://" + rl.Addr().String(), Stream: "line", PublishToken: relayPublishToken})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(info.ViewerURL, "/s/line/?token="+saved.Cameras[0].Token) || !strings.HasPrefix(info.QR, "data:image/png") {
		t.Fatalf("push info %+v", info)
	}
	watch := func(token string) error {
		deadline := time.Now().Add(10 * time.Second)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			v, err := client.Dial(ctx, "ws://"+rl.Addr().String()+"/s/line/ws?token="+token, nil)
			cancel()
			if err == nil {
				defer v.Close()
				_, err = v.NextFrame(5 * time.Second)
				return err
			}
			if time.Now().After(deadline) {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if err := watch(saved.Cameras[0].Token); err != nil {
		t.Fatalf("no frames on the relay with the app's link: %v", err)
	}
	if onDisk, _ := st.Load(); !onDisk.Cameras[0].Push.Enabled || onDisk.Cameras[0].Push.Stream != "line" {
		t.Fatalf("push settings not saved: %+v", onDisk.Cameras[0].Push)
	}
	sh, err := a.NewLink()
	if err != nil {
		t.Fatal(err)
	}
	if err := watch(sh.Token); err != nil {
		t.Fatalf("the relay does not take the new link: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := client.Dial(ctx, "ws://"+rl.Addr().String()+"/s/line/ws?token="+saved.Cameras[0].Token, nil); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("the old link still works on the relay: %v", err)
	}
	if info, _ := a.SetPush(config.Push{}); info.State != "stopped" {
		t.Fatalf("push still %q after switching it off", info.State)
	}
}

func TestASecondCamerasPushFormIsFilledInForTheRelayTheFirstPushesTo(t *testing.T) {
	saved := smallSaved(t)
	a, _, _ := newApp(t, &saved)
	first := config.Push{Relay: "wss://relay.example.com", Stream: "line", PublishToken: relayPublishToken}
	if _, err := a.SetPush(first); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddCamera("dock", ""); err != nil {
		t.Fatal(err)
	}
	info, err := a.Push()
	if err != nil {
		t.Fatal(err)
	}
	if info.Enabled || info.Stream != "dock" || info.Relay != first.Relay || info.PublishToken != relayPublishToken {
		t.Fatalf("the new camera's push form: %+v; want off, under its own name, to the first's relay", info.Push)
	}
}
