package classcluster

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lab-workshop/lab/sandbox/kubeclient"
)

// NodeAddress is the address learners reach node ports at when the
// instructor names none: a worker's external address, else its internal
// one; a control-plane node only when there is no worker. Every node opens
// every node port, so any ready one will do.
func NodeAddress(ctx context.Context, client *kubeclient.Client) (string, error) {
	nodes, err := client.Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("listing the cluster's nodes for an address learners reach node ports at: %w; or give one with --node-address", err)
	}
	best, rank := "", 0
	for _, n := range nodes.Items {
		if !ready(n) {
			continue
		}
		_, cp := n.Labels["node-role.kubernetes.io/control-plane"]
		for _, a := range n.Status.Addresses {
			r := 0
			switch a.Type {
			case corev1.NodeExternalIP:
				r = 4
			case corev1.NodeInternalIP:
				r = 2
			default:
				continue
			}
			if !cp {
				r++
			}
			if r > rank {
				best, rank = a.Address, r
			}
		}
	}
	if best == "" {
		return "", errors.New("no ready node has an address; give the address learners reach node ports at with --node-address")
	}
	return best, nil
}

func ready(n corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
