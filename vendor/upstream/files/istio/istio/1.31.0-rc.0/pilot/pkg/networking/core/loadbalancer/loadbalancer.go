// Copyright Istio Authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// packages used for load balancer setting
package loadbalancer

import (
	"math"
	"sort"
	"strings"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	xdstype "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	wrappers "google.golang.org/protobuf/types/known/wrapperspb"

	"istio.io/api/label"
	"istio.io/api/networking/v1alpha3"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking/util"
	registrylabel "istio.io/istio/pilot/pkg/serviceregistry/util/label"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/util/sets"
)

const (
	FailoverPriorityLabelDefaultSeparator = '='
)

// LBSettings captures the effective load-balancing locality semantics resolved from a
// DR / service / mesh combination. A concrete value is either a *LocalityLBSettings or a
// *ZoneAwareLBSettings; GetEffectiveLbSetting returns nil when locality load balancing is
// effectively disabled.
type LBSettings interface {
	// ForceFailover reports whether failover must always be enabled, regardless of whether
	// outlier detection is configured.
	ForceFailover() bool
	// IsZoneAware reports whether these are zone-aware settings (as opposed to locality settings).
	IsZoneAware() bool
	// FailoverPriorityLabels returns the failover priority labels used to compute per-proxy
	// failover priority labels, or nil when none apply.
	FailoverPriorityLabels() []string
	// ApplyToLoadAssignment mutates loadAssignment with the locality/zone-aware priorities and
	// weights relative to the calling proxy. enableFailover reflects whether outlier detection is
	// configured; implementations additionally force failover on when ForceFailover reports true.
	ApplyToLoadAssignment(
		loadAssignment *endpoint.ClusterLoadAssignment,
		wrappedLocalityLbEndpoints []*WrappedLocalityLbEndpoints,
		locality *core.Locality,
		proxyLabels map[string]string,
		enableFailover bool,
	)
	// ApplyToCluster configures the cluster's locality LB config (CommonLbConfig) and applies the
	// locality/zone-aware priorities and weights to its load assignment for the calling proxy.
	// isWaypoint indicates the proxy is a waypoint, where zone-aware LB is unsupported and falls
	// back to locality LB. proxyID and enableSelfDiscovery are only used to warn when zone-aware
	// LB is configured without proxy self-discovery.
	ApplyToCluster(
		c *cluster.Cluster,
		wrappedLocalityLbEndpoints *WrappedLocalityLbEndpoints,
		locality *core.Locality,
		proxyLabels map[string]string,
		isWaypoint bool,
		proxyID string,
		enableSelfDiscovery bool,
	)
}

func uint32ToUint64Value(v *wrappers.UInt32Value) *wrappers.UInt64Value {
	if v == nil {
		return nil
	}
	return &wrappers.UInt64Value{Value: uint64(v.GetValue())}
}

// wrapEndpoints adapts a single WrappedLocalityLbEndpoints to the slice form expected by the
// package-level Apply* helpers, preserving the nil case.
func wrapEndpoints(w *WrappedLocalityLbEndpoints) []*WrappedLocalityLbEndpoints {
	if w == nil {
		return nil
	}
	return []*WrappedLocalityLbEndpoints{w}
}

// LocalityLBSettings is the effective locality load balancer setting.
type LocalityLBSettings struct {
	Setting *v1alpha3.LocalityLoadBalancerSetting
	// Force reports whether failover must always be enabled (e.g. derived from a service's
	// TrafficDistribution preference).
	Force bool
}

var _ LBSettings = LocalityLBSettings{}

func (l LocalityLBSettings) ForceFailover() bool { return l.Force }

func (l LocalityLBSettings) IsZoneAware() bool { return false }

func (l LocalityLBSettings) FailoverPriorityLabels() []string {
	// Failover priority labels only apply when there is no explicit weight distribution and
	// locality LB is enabled.
	if l.Setting.GetDistribute() == nil && (l.Setting.GetEnabled() == nil || l.Setting.GetEnabled().Value) {
		return l.Setting.GetFailoverPriority()
	}
	return nil
}

func (l LocalityLBSettings) ApplyToLoadAssignment(
	loadAssignment *endpoint.ClusterLoadAssignment,
	wrappedLocalityLbEndpoints []*WrappedLocalityLbEndpoints,
	locality *core.Locality,
	proxyLabels map[string]string,
	enableFailover bool,
) {
	ApplyLocalityLoadBalancer(loadAssignment, wrappedLocalityLbEndpoints, locality, proxyLabels, l.Setting, enableFailover || l.Force)
}

func (l LocalityLBSettings) ApplyToCluster(
	c *cluster.Cluster,
	wrappedLocalityLbEndpoints *WrappedLocalityLbEndpoints,
	locality *core.Locality,
	proxyLabels map[string]string,
	_ bool,
	_ string,
	_ bool,
) {
	// Failover should only be applied with outlier detection, or traffic will never failover.
	// Conversely, because the default mesh config enables LocalityLbSetting (Enabled:true),
	// enabling outlier detection in a DestinationRule will automatically activate locality LB
	// failover behavior even when no explicit localityLbSetting is configured in the DR.
	enableFailover := l.Force || c.OutlierDetection != nil
	// set locality weighted lb config when locality lb is enabled, otherwise it will influence the result of LBPolicy like `least request`
	if features.EnableLocalityWeightedLbConfig ||
		(enableFailover && (l.Setting.GetFailover() != nil || l.Setting.GetFailoverPriority() != nil)) ||
		l.Setting.GetDistribute() != nil {
		c.CommonLbConfig.LocalityConfigSpecifier = &cluster.Cluster_CommonLbConfig_LocalityWeightedLbConfig_{
			LocalityWeightedLbConfig: &cluster.Cluster_CommonLbConfig_LocalityWeightedLbConfig{},
		}
	}
	if c.LoadAssignment != nil {
		l.ApplyToLoadAssignment(c.LoadAssignment, wrapEndpoints(wrappedLocalityLbEndpoints), locality, proxyLabels, c.OutlierDetection != nil)
	}
}

// ZoneAwareLBSettings is the effective zone-aware load balancer setting.
type ZoneAwareLBSettings struct {
	Setting *v1alpha3.ZoneAwareLoadBalancerSetting
}

var _ LBSettings = ZoneAwareLBSettings{}

// routingEnabled reports whether ZAR is enabled. When `enabled` is unset, ZAR is on
// by default (consistent with localityLbSetting). When false, ApplyToCluster emits
// routing_enabled: 0% to suppress Envoy's intrinsic zone-aware routing.
func (z ZoneAwareLBSettings) routingEnabled() bool {
	enabled := z.Setting.GetEnabled()
	return enabled == nil || enabled.GetValue()
}

// ForceFailover returns true when routing is enabled, false when explicitly disabled.
func (z ZoneAwareLBSettings) ForceFailover() bool {
	return z.routingEnabled()
}

// IsZoneAware reports the config type, regardless of `enabled`.
func (z ZoneAwareLBSettings) IsZoneAware() bool { return true }

func (z ZoneAwareLBSettings) FailoverPriorityLabels() []string {
	if !z.routingEnabled() {
		return nil
	}
	return z.Setting.GetFailoverPriority()
}

func (z ZoneAwareLBSettings) ApplyToLoadAssignment(
	loadAssignment *endpoint.ClusterLoadAssignment,
	wrappedLocalityLbEndpoints []*WrappedLocalityLbEndpoints,
	locality *core.Locality,
	proxyLabels map[string]string,
	_ bool,
) {
	if !z.routingEnabled() {
		// Skip regional failover partitioning to avoid corrupting EDS priorities.
		return
	}
	ApplyZoneAwareLoadBalancer(loadAssignment, wrappedLocalityLbEndpoints, locality, proxyLabels, z.Setting)
}

func (z ZoneAwareLBSettings) ApplyToCluster(
	c *cluster.Cluster,
	wrappedLocalityLbEndpoints *WrappedLocalityLbEndpoints,
	locality *core.Locality,
	proxyLabels map[string]string,
	isWaypoint bool,
	proxyID string,
	enableSelfDiscovery bool,
) {
	// Zone-aware LB is not supported for Waypoints; fall back to locality LB. Zone-aware always
	// forces failover, so preserve that in the fallback (there is no locality setting configured,
	// as the two are mutually exclusive).
	if isWaypoint {
		LocalityLBSettings{Force: true}.ApplyToCluster(
			c, wrappedLocalityLbEndpoints, locality, proxyLabels, isWaypoint, proxyID, enableSelfDiscovery,
		)
		return
	}
	if !z.routingEnabled() {
		c.CommonLbConfig.LocalityConfigSpecifier = &cluster.Cluster_CommonLbConfig_ZoneAwareLbConfig_{
			ZoneAwareLbConfig: &cluster.Cluster_CommonLbConfig_ZoneAwareLbConfig{
				RoutingEnabled: &xdstype.Percent{Value: 0},
				MinClusterSize: uint32ToUint64Value(z.Setting.GetMinClusterSize()),
			},
		}
		return
	}
	if !enableSelfDiscovery {
		log.Warnf("Zone-aware load balancing is enabled for cluster %s, but proxy self-discovery is not enabled on %s", c.Name, proxyID)
	}
	c.CommonLbConfig.LocalityConfigSpecifier = &cluster.Cluster_CommonLbConfig_ZoneAwareLbConfig_{
		ZoneAwareLbConfig: &cluster.Cluster_CommonLbConfig_ZoneAwareLbConfig{
			MinClusterSize: uint32ToUint64Value(z.Setting.GetMinClusterSize()),
		},
	}
	if c.LoadAssignment != nil {
		z.ApplyToLoadAssignment(c.LoadAssignment, wrapEndpoints(wrappedLocalityLbEndpoints), locality, proxyLabels, false)
	}
}

// GetEffectiveLbSetting resolves which load-balancing locality semantics apply for a
// given DR / service / mesh combination. It returns nil when no setting applies.
//
// Resolution order is DR > service traffic distribution > mesh; within DR and mesh,
// zone_aware_lb_setting takes precedence over locality_lb_setting. When ZAR is explicitly
// disabled (enabled: false), it still wins at its level so ApplyToCluster emits
// routing_enabled: 0% to suppress Envoy's intrinsic zone-aware routing.
func GetEffectiveLbSetting(
	meshLocality *v1alpha3.LocalityLoadBalancerSetting,
	meshZoneAware *v1alpha3.ZoneAwareLoadBalancerSetting,
	drSettings *v1alpha3.LoadBalancerSettings,
	service *model.Service,
) LBSettings {
	if zaLbSetting := drSettings.GetZoneAwareLbSetting(); zaLbSetting != nil {
		return ZoneAwareLBSettings{Setting: zaLbSetting}
	}
	if localityLbSetting := drSettings.GetLocalityLbSetting(); localityLbSetting != nil {
		if localityLbSetting.GetEnabled() != nil && !localityLbSetting.GetEnabled().Value {
			return nil
		}
		return LocalityLBSettings{Setting: localityLbSetting}
	}
	if service != nil && service.Attributes.TrafficDistribution != model.TrafficDistributionAny {
		switch service.Attributes.TrafficDistribution {
		case model.TrafficDistributionPreferSameZone:
			return LocalityLBSettings{
				Setting: &v1alpha3.LocalityLoadBalancerSetting{
					Enabled: wrappers.Bool(true),
					// Prefer same zone, region, network
					FailoverPriority: []string{
						label.TopologyNetwork.Name,
						registrylabel.LabelTopologyRegion,
						registrylabel.LabelTopologyZone,
					},
				},
				Force: true,
			}
		case model.TrafficDistributionPreferSameNode:
			return LocalityLBSettings{
				Setting: &v1alpha3.LocalityLoadBalancerSetting{
					Enabled: wrappers.Bool(true),
					// Prefer same node, subzone, zone, region, network
					FailoverPriority: []string{
						label.TopologyNetwork.Name,
						registrylabel.LabelTopologyRegion,
						registrylabel.LabelTopologyZone,
						label.TopologySubzone.Name,
						registrylabel.LabelHostname,
					},
				},
				Force: true,
			}
		case model.TrafficDistributionAny:
			// fallthrough
		}
	}
	if meshZoneAware != nil {
		return ZoneAwareLBSettings{Setting: meshZoneAware}
	}
	if meshLocality != nil {
		if meshLocality.GetEnabled() != nil && !meshLocality.GetEnabled().Value {
			return nil
		}
		return LocalityLBSettings{Setting: meshLocality}
	}
	return nil
}

func ApplyZoneAwareLoadBalancer(
	loadAssignment *endpoint.ClusterLoadAssignment,
	wrappedLocalityLbEndpoints []*WrappedLocalityLbEndpoints,
	locality *core.Locality,
	proxyLabels map[string]string,
	zoneAwareLB *v1alpha3.ZoneAwareLoadBalancerSetting,
) {
	if zoneAwareLB == nil || loadAssignment == nil {
		return
	}
	if len(zoneAwareLB.FailoverPriority) > 0 {
		applyFailoverPriorities(loadAssignment, wrappedLocalityLbEndpoints, proxyLabels, zoneAwareLB.FailoverPriority)
	}

	// Always apply region bucketing, even with no Failover entries. This keeps
	// cross-region endpoints out of priority 0 so Envoy's zone-aware LB only balances zones
	// within the proxy's region.
	applyZoneAwareRegionalFailover(locality, loadAssignment, zoneAwareLB.Failover)
}

// applyZoneAwareRegionalFailover buckets LocalityLbEndpoints by region only, so all endpoints in the
// proxy's region land at priority 0 (where Envoy's zone-aware LB can balance them across zones).
// Failover-matched regions occupy the next priority and remaining regions the last priority.
// Like applyLocalityFailover, priorities are multiplied by 3 to compose with any prior
// FailoverPriority assignment, then compacted to a contiguous 0..N range.
func applyZoneAwareRegionalFailover(
	locality *core.Locality,
	loadAssignment *endpoint.ClusterLoadAssignment,
	failover []*v1alpha3.ZoneAwareLoadBalancerSetting_Failover,
) {
	priorityMap := map[int][]int{}
	proxyRegion := locality.GetRegion()

	for i, localityEndpoint := range loadAssignment.Endpoints {
		epRegion := localityEndpoint.GetLocality().GetRegion()
		// 0: same region as proxy, 1: failover-matched region, 2: any other region.
		var priority int
		switch {
		case epRegion == proxyRegion:
			priority = 0
		default:
			priority = 2
			for _, failoverSetting := range failover {
				if failoverSetting.From == proxyRegion {
					if epRegion == failoverSetting.To {
						priority = 1
					}
					break
				}
			}
		}
		// Compose with any prior priority (e.g. set by applyFailoverPriorities).
		// Zone-aware uses 3 buckets (0..2) so multiplying by 3 keeps the slots distinct.
		priorityInt := int(loadAssignment.Endpoints[i].Priority*3) + priority
		loadAssignment.Endpoints[i].Priority = uint32(priorityInt)
		priorityMap[priorityInt] = append(priorityMap[priorityInt], i)
	}

	// Compact priorities to a contiguous 0..N range so Envoy doesn't skip empty buckets.
	priorities := make([]int, 0, len(priorityMap))
	for priority := range priorityMap {
		priorities = append(priorities, priority)
	}
	sort.Ints(priorities)
	for i, priority := range priorities {
		if i != priority {
			for _, index := range priorityMap[priority] {
				loadAssignment.Endpoints[index].Priority = uint32(i)
			}
		}
	}
}

func ApplyLocalityLoadBalancer(
	loadAssignment *endpoint.ClusterLoadAssignment,
	wrappedLocalityLbEndpoints []*WrappedLocalityLbEndpoints,
	locality *core.Locality,
	proxyLabels map[string]string,
	localityLB *v1alpha3.LocalityLoadBalancerSetting,
	enableFailover bool,
) {
	// before calling this function localityLB.enabled field has been checked.
	if localityLB == nil || loadAssignment == nil {
		return
	}

	// one of Distribute or Failover settings can be applied.
	if localityLB.GetDistribute() != nil {
		applyLocalityWeights(locality, loadAssignment, localityLB.GetDistribute())
		// Failover needs outlier detection, otherwise Envoy will never drop down to a lower priority.
		// Do not apply default failover when locality LB is disabled.
	} else if enableFailover {
		if len(localityLB.FailoverPriority) > 0 {
			// Apply user defined priority failover settings.
			applyFailoverPriorities(loadAssignment, wrappedLocalityLbEndpoints, proxyLabels, localityLB.FailoverPriority)
			// If failover is explicitly configured with failover priority, apply failover settings also.
			if len(localityLB.Failover) != 0 {
				applyLocalityFailover(locality, loadAssignment, localityLB.Failover)
			}
		} else {
			// Apply default failover settings or user defined region failover settings.
			applyLocalityFailover(locality, loadAssignment, localityLB.Failover)
		}
	}
}

// set locality loadbalancing weight based on user defined weights.
func applyLocalityWeights(
	locality *core.Locality,
	loadAssignment *endpoint.ClusterLoadAssignment,
	distribute []*v1alpha3.LocalityLoadBalancerSetting_Distribute,
) {
	if distribute == nil {
		return
	}

	// Support Locality weighted load balancing
	// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/locality_weight#locality-weighted-load-balancing)
	// by providing weights in LocalityLbEndpoints via load_balancing_weight.
	// By setting weights across different localities, it can allow
	// Envoy to do weighted load balancing across different zones and geographical locations.
	for _, localityWeightSetting := range distribute {
		if localityWeightSetting != nil &&
			util.LocalityMatch(locality, localityWeightSetting.From) {
			misMatched := sets.Set[int]{}
			for i := range loadAssignment.Endpoints {
				misMatched.Insert(i)
			}
			for locality, weight := range localityWeightSetting.To {
				// index -> original weight
				destLocMap := map[int]uint32{}
				totalWeight := uint32(0)
				for i, ep := range loadAssignment.Endpoints {
					if misMatched.Contains(i) {
						if util.LocalityMatch(ep.Locality, locality) {
							delete(misMatched, i)
							if ep.LoadBalancingWeight != nil {
								destLocMap[i] = ep.LoadBalancingWeight.Value
							} else {
								destLocMap[i] = 1
							}
							totalWeight += destLocMap[i]
						}
					}
				}
				// in case wildcard dest matching multi groups of endpoints
				// the load balancing weight for a locality is divided by the sum of the weights of all localities
				for index, originalWeight := range destLocMap {
					destWeight := float64(originalWeight*weight) / float64(totalWeight)
					if destWeight > 0 {
						loadAssignment.Endpoints[index].LoadBalancingWeight = &wrappers.UInt32Value{
							Value: uint32(math.Ceil(destWeight)),
						}
					}
				}
			}

			// remove groups of endpoints in a locality that miss matched
			for i := range misMatched {
				if loadAssignment.Endpoints[i] != nil {
					loadAssignment.Endpoints[i].LbEndpoints = nil
				}
			}
			break
		}
	}
}

// set locality loadbalancing priority - This is based on Region/Zone/SubZone matching.
func applyLocalityFailover(
	locality *core.Locality,
	loadAssignment *endpoint.ClusterLoadAssignment,
	failover []*v1alpha3.LocalityLoadBalancerSetting_Failover,
) {
	// key is priority, value is the index of the LocalityLbEndpoints in ClusterLoadAssignment
	priorityMap := map[int][]int{}

	// 1. calculate the LocalityLbEndpoints.Priority compared with proxy locality
	for i, localityEndpoint := range loadAssignment.Endpoints {
		// if region/zone/subZone all match, the priority is 0.
		// if region/zone match, the priority is 1.
		// if region matches, the priority is 2.
		// if locality not match, the priority is 3.
		priority := util.LbPriority(locality, localityEndpoint.Locality)
		// region not match, apply failover settings when specified
		// update localityLbEndpoints' priority to 4 if failover not match
		if priority == 3 {
			for _, failoverSetting := range failover {
				if failoverSetting.From == locality.Region {
					if localityEndpoint.Locality == nil || localityEndpoint.Locality.Region != failoverSetting.To {
						priority = 4
					}
					break
				}
			}
		}
		// priority is calculated using the already assigned priority using failoverPriority.
		// Since there are at most 5 priorities can be assigned using locality failover(0-4),
		// we multiply the priority by 5 for maintaining the priorities already assigned.
		// Afterwards the final priorities can be calculated from 0 (highest) to N (lowest) without skipping.
		priorityInt := int(loadAssignment.Endpoints[i].Priority*5) + priority
		loadAssignment.Endpoints[i].Priority = uint32(priorityInt)
		priorityMap[priorityInt] = append(priorityMap[priorityInt], i)
	}

	// since Priorities should range from 0 (highest) to N (lowest) without skipping.
	// 2. adjust the priorities in order
	// 2.1 sort all priorities in increasing order.
	priorities := []int{}
	for priority := range priorityMap {
		priorities = append(priorities, priority)
	}
	sort.Ints(priorities)
	// 2.2 adjust LocalityLbEndpoints priority
	// if the index and value of priorities array is not equal.
	for i, priority := range priorities {
		if i != priority {
			// the LocalityLbEndpoints index in ClusterLoadAssignment.Endpoints
			for _, index := range priorityMap[priority] {
				loadAssignment.Endpoints[index].Priority = uint32(i)
			}
		}
	}
}

// WrappedLocalityLbEndpoints contain an envoy LocalityLbEndpoints
// and the original IstioEndpoints used to generate it.
// It is used to do failover priority label match with proxy labels.
type WrappedLocalityLbEndpoints struct {
	IstioEndpoints      []*model.IstioEndpoint
	LocalityLbEndpoints *endpoint.LocalityLbEndpoints
}

// set loadbalancing priority by failover priority label.
func applyFailoverPriorities(
	loadAssignment *endpoint.ClusterLoadAssignment,
	wrappedLocalityLbEndpoints []*WrappedLocalityLbEndpoints,
	proxyLabels map[string]string,
	failoverPriorities []string,
) {
	if len(proxyLabels) == 0 || len(wrappedLocalityLbEndpoints) == 0 {
		return
	}
	priorityMap := make(map[int][]int, len(failoverPriorities))
	localityLbEndpoints := []*endpoint.LocalityLbEndpoints{}
	for _, wrappedLbEndpoint := range wrappedLocalityLbEndpoints {
		if wrappedLbEndpoint == nil {
			continue
		}
		localityLbEndpointsPerLocality := applyFailoverPriorityPerLocality(proxyLabels, wrappedLbEndpoint, failoverPriorities)
		localityLbEndpoints = append(localityLbEndpoints, localityLbEndpointsPerLocality...)
	}
	for i, ep := range localityLbEndpoints {
		priorityMap[int(ep.Priority)] = append(priorityMap[int(ep.Priority)], i)
	}
	// since Priorities should range from 0 (highest) to N (lowest) without skipping.
	// adjust the priorities in order
	// 1. sort all priorities in increasing order.
	priorities := []int{}
	for priority := range priorityMap {
		priorities = append(priorities, priority)
	}
	sort.Ints(priorities)
	// 2. adjust LocalityLbEndpoints priority
	// if the index and value of priorities array is not equal.
	for i, priority := range priorities {
		if i != priority {
			// the LocalityLbEndpoints index in ClusterLoadAssignment.Endpoints
			for _, index := range priorityMap[priority] {
				localityLbEndpoints[index].Priority = uint32(i)
			}
		}
	}
	loadAssignment.Endpoints = localityLbEndpoints
}

// Returning the label names in a separate array as the iteration of map is not ordered.
func priorityLabelOverrides(labels []string) ([]string, map[string]string) {
	priorityLabels := make([]string, 0, len(labels))
	overriddenValueByLabel := make(map[string]string, len(labels))
	var tempStrings []string
	for _, labelWithValue := range labels {
		tempStrings = strings.Split(labelWithValue, string(FailoverPriorityLabelDefaultSeparator))
		priorityLabels = append(priorityLabels, tempStrings[0])
		if len(tempStrings) == 2 {
			overriddenValueByLabel[tempStrings[0]] = tempStrings[1]
			continue
		}
	}
	return priorityLabels, overriddenValueByLabel
}

// set loadbalancing priority by failover priority label.
// split one LocalityLbEndpoints to multiple LocalityLbEndpoints based on failover priorities.
func applyFailoverPriorityPerLocality(
	proxyLabels map[string]string,
	ep *WrappedLocalityLbEndpoints,
	failoverPriorities []string,
) []*endpoint.LocalityLbEndpoints {
	lowestPriority := len(failoverPriorities)
	includesNetwork := lowestPriority > 0 && failoverPriorities[0] == label.TopologyNetwork.Name

	// key is priority, value is the index of LocalityLbEndpoints.LbEndpoints
	priorityMap := map[int][]int{}
	priorityLabels, priorityLabelOverrides := priorityLabelOverrides(failoverPriorities)
	for i, istioEndpoint := range ep.IstioEndpoints {
		var priority int
		var adjust int
		// failoverPriority labels match
		for j, label := range priorityLabels {
			valueForProxy, ok := priorityLabelOverrides[label]
			if !ok {
				valueForProxy = proxyLabels[label]
			}
			if valueForProxy != istioEndpoint.Labels[label] {
				if j == 0 && includesNetwork {
					// ignore network
					adjust = len(failoverPriorities)
					continue
				}
				priority = lowestPriority - j
				break
			}
		}
		priority += adjust
		// adjust priority
		priorityMap[priority] = append(priorityMap[priority], i)
	}

	// sort all priorities in increasing order.
	priorities := []int{}
	for priority := range priorityMap {
		priorities = append(priorities, priority)
	}
	sort.Ints(priorities)

	out := make([]*endpoint.LocalityLbEndpoints, len(priorityMap))
	for i, priority := range priorities {
		out[i] = util.CloneLocalityLbEndpoint(ep.LocalityLbEndpoints)
		out[i].LbEndpoints = nil
		out[i].Priority = uint32(priority)
		var weight uint32
		for _, index := range priorityMap[priority] {
			out[i].LbEndpoints = append(out[i].LbEndpoints, ep.LocalityLbEndpoints.LbEndpoints[index])
			weight += ep.LocalityLbEndpoints.LbEndpoints[index].GetLoadBalancingWeight().GetValue()
		}
		// reset weight
		out[i].LoadBalancingWeight = &wrappers.UInt32Value{
			Value: weight,
		}
	}

	return out
}
